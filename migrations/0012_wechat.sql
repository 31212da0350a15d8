-- WeChat official accounts as an intake channel (plain-text mode).
--
-- WeChat calls the account's server URL, which ends in a token <kind>_<tenant>_<secret> like the
-- intake links', and signs every call with the Token the tenant typed into the WeChat console:
-- that Token is stored here to check signatures. A follower's text message opens a work order
-- (or adds to the follower's open one); WeChat retries a message it got no answer for, so each
-- MsgId is kept with the reply it got, and a retry gets the same reply and changes nothing.

CREATE TABLE wechat_accounts (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    secret      text        NOT NULL CHECK (secret ~ '^[a-z2-7]{32}$'),
    name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    -- The account's original id (原始ID), the ToUserName of every message it receives.
    original_id text        NOT NULL CHECK (original_id ~ '^gh_[A-Za-z0-9_]{1,60}$'),
    -- WeChat's rule for the console's Token: 3 to 32 letters or digits.
    token       text        NOT NULL CHECK (token ~ '^[A-Za-z0-9]{3,32}$'),
    type_id     uuid        NOT NULL,
    shop_id     uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT wechat_accounts_secret UNIQUE (tenant_id, secret),
    FOREIGN KEY (tenant_id, type_id) REFERENCES work_order_types (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id)
);
CREATE INDEX wechat_accounts_newest_first ON wechat_accounts (tenant_id, created_at DESC, id DESC);

CREATE TABLE wechat_messages (
    tenant_id     uuid        NOT NULL,
    account_id    uuid        NOT NULL,
    msg_id        text        NOT NULL CHECK (msg_id ~ '^[0-9]{1,20}$'),
    from_openid   text        NOT NULL,
    work_order_id uuid,
    -- The passive reply's text; empty while the message is being handled.
    reply         text        NOT NULL DEFAULT '',
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account_id, msg_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES wechat_accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id)
);

ALTER TABLE wechat_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE wechat_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wechat_accounts
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON wechat_accounts TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON wechat_accounts TO pitstop_app;

ALTER TABLE wechat_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE wechat_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wechat_messages
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON wechat_messages TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE ON wechat_messages TO pitstop_app;
