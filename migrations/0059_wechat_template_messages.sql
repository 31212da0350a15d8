-- A WeChat official account's API as a channel kind, for template messages to customers: the
-- AppID in settings, the AppSecret sealed, the access token kept in provider_tokens like the
-- staff apps'. Widened NOT VALID and validated apart, as before.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_kind_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_kind_check
    CHECK (kind IN ('dingtalk', 'wecom', 'aliyun_sms', 'http_sms', 'webhook', 'dingtalk_app', 'wecom_app', 'tencent_sms', 'wechat_mp')) NOT VALID;
ALTER TABLE notification_channels VALIDATE CONSTRAINT notification_channels_kind_check;
