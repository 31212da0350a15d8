-- A connected WeChat account can be changed in place (its name, Token, job type, shop, and the
-- AppID and EncodingAESKey that open safe mode), at If-Match like every other record; its server
-- URL stays the same, so the WeChat console needs no change but the Token or key itself.
ALTER TABLE wechat_accounts ADD COLUMN version integer NOT NULL DEFAULT 1;
