-- The Token an official account signs WeChat's calls with is a credential: it is kept sealed with
-- PITSTOP_SECRET_KEY (AES-256-GCM, bound to the tenant), as channel secrets are. The key is not in
-- the database, so rows written before this migration keep their Token in the clear until the
-- account's next message, which the API answers and then seals (`token` cleared, `token_box` set).
-- Exactly one of the two is ever set.
ALTER TABLE wechat_accounts ADD COLUMN token_box bytea;
ALTER TABLE wechat_accounts ALTER COLUMN token DROP NOT NULL;
ALTER TABLE wechat_accounts ADD CONSTRAINT wechat_accounts_one_token CHECK ((token IS NULL) <> (token_box IS NULL)) NOT VALID;
ALTER TABLE wechat_accounts VALIDATE CONSTRAINT wechat_accounts_one_token;
