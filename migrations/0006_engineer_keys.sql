-- An `engineer` API key acts as one engineer: the mobile app's key is bound to its engineer.
-- NOT VALID: the rule holds for every key from now on without scanning keys made before it.
ALTER TABLE api_keys ADD COLUMN engineer_id uuid;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_engineer
    FOREIGN KEY (tenant_id, engineer_id) REFERENCES engineers (tenant_id, id);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_engineer_binding
    CHECK ((role = 'engineer') = (engineer_id IS NOT NULL)) NOT VALID;
