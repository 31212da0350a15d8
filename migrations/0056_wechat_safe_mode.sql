-- Safe mode (安全模式) and compatible mode: WeChat encrypts each message with the account's
-- EncodingAESKey and seals it for the account's AppID. The key is a credential, kept sealed with
-- PITSTOP_SECRET_KEY like the Token; the AppID is public and checked against every message.
-- An account without a key takes plain-text mode only.
ALTER TABLE wechat_accounts ADD COLUMN app_id text;
ALTER TABLE wechat_accounts ADD COLUMN aes_key_box bytea;
ALTER TABLE wechat_accounts ADD CONSTRAINT wechat_accounts_key_names_its_app CHECK (aes_key_box IS NULL OR app_id IS NOT NULL);
