-- The engineer runs the job: an inspector key (质检员) makes the quality check without a desk's
-- reach, and an engineer may say they are on a break, which keeps them out of dispatch like
-- being off duty. Both checks only widen: the new ones are added NOT VALID and validated apart,
-- so neither table is locked against writes while existing rows are checked.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
    CHECK (role IN ('admin', 'dispatcher', 'engineer', 'inspector', 'integration', 'readonly')) NOT VALID;
ALTER TABLE api_keys VALIDATE CONSTRAINT api_keys_role_check;

ALTER TABLE engineers DROP CONSTRAINT engineers_status_check;
ALTER TABLE engineers ADD CONSTRAINT engineers_status_check
    CHECK (status IN ('off_duty', 'available', 'busy', 'on_break')) NOT VALID;
ALTER TABLE engineers VALIDATE CONSTRAINT engineers_status_check;
