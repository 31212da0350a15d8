-- Replies to the chain's SMS: Aliyun (SmsUp, "HTTP 批量推送") and Tencent Cloud (短信回复回调)
-- push each reply to a URL the chain sets in the provider's console. Neither provider signs the
-- call, so the URL carries a secret; only its hash is kept, one per SMS channel, and making a
-- new one ends the old.
ALTER TABLE notification_channels ADD COLUMN reply_secret_sha256 text CHECK (reply_secret_sha256 ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX notification_channels_reply_secret ON notification_channels (tenant_id, reply_secret_sha256)
    WHERE reply_secret_sha256 IS NOT NULL;
