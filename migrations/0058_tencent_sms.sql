-- Tencent Cloud SMS, the other large mainland provider, as a channel kind: SendSms (API 3.0)
-- with the SecretId, SdkAppId, sign and template in settings and the SecretKey sealed. The check
-- is widened NOT VALID and validated apart, so the table is not locked against writes meanwhile.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_kind_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_kind_check
    CHECK (kind IN ('dingtalk', 'wecom', 'aliyun_sms', 'http_sms', 'webhook', 'dingtalk_app', 'wecom_app', 'tencent_sms')) NOT VALID;
ALTER TABLE notification_channels VALIDATE CONSTRAINT notification_channels_kind_check;
