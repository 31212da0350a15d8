-- Engineers hear of their work personally: by a DingTalk work notification, a WeCom application
-- message, or an SMS through the tenant's Aliyun channel, as the tenant sets per engineer.
--
-- * Two channel kinds for the chain's own apps: `dingtalk_app` (AppKey and AgentId in settings,
--   AppSecret sealed) and `wecom_app` (CorpID and AgentId, the app's Secret sealed).
-- * The access token each app hands out for its key and secret is kept here, sealed like the
--   secret, so that every worker uses the one token until it expires or the provider calls it
--   invalid, instead of each fetching its own.
-- * A delivery may be for one engineer (and about one offer): the offer's time to answer starts
--   when the provider accepted the message (`notified_at`), and an offer whose message could not
--   be delivered is passed on at once (state `undelivered`).
-- The widened checks are added NOT VALID and validated apart, so no table is locked against
-- writes while its rows are checked.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_kind_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_kind_check
    CHECK (kind IN ('dingtalk', 'wecom', 'aliyun_sms', 'http_sms', 'webhook', 'dingtalk_app', 'wecom_app')) NOT VALID;
ALTER TABLE notification_channels VALIDATE CONSTRAINT notification_channels_kind_check;

ALTER TABLE engineers
    ADD COLUMN notify_channel_id uuid,
    ADD COLUMN dingtalk_user_id text CHECK (length(dingtalk_user_id) BETWEEN 1 AND 64),
    ADD COLUMN wecom_user_id text CHECK (length(wecom_user_id) BETWEEN 1 AND 64),
    ADD CONSTRAINT engineers_notify_channel_fkey FOREIGN KEY (tenant_id, notify_channel_id) REFERENCES notification_channels (tenant_id, id);

ALTER TABLE dispatch_offers ADD COLUMN notified_at timestamptz;
ALTER TABLE dispatch_offers DROP CONSTRAINT dispatch_offers_state_check;
ALTER TABLE dispatch_offers ADD CONSTRAINT dispatch_offers_state_check
    CHECK (state IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn', 'undelivered')) NOT VALID;
ALTER TABLE dispatch_offers VALIDATE CONSTRAINT dispatch_offers_state_check;

ALTER TABLE notification_deliveries
    ADD COLUMN engineer_id uuid,
    ADD COLUMN offer_id uuid,
    ADD CONSTRAINT notification_deliveries_engineer_fkey FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id),
    ADD CONSTRAINT notification_deliveries_offer_fkey FOREIGN KEY (tenant_id, offer_id) REFERENCES dispatch_offers (tenant_id, id);
CREATE INDEX notification_deliveries_by_offer ON notification_deliveries (tenant_id, offer_id) WHERE offer_id IS NOT NULL;

CREATE TABLE provider_tokens (
    tenant_id  uuid        NOT NULL,
    channel_id uuid        NOT NULL,
    -- The token sealed with AES-256-GCM under PITSTOP_SECRET_KEY, bound to the tenant.
    token_box  bytea       NOT NULL,
    expires_at timestamptz NOT NULL,
    fetched_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, channel_id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notification_channels (tenant_id, id) ON DELETE CASCADE
);
SELECT make_tenant_table('provider_tokens', 'SELECT, INSERT, UPDATE, DELETE');
