-- Parts inventory: the catalogue, stock per shop, reservations made by approved requisitions,
-- and a ledger of every movement. Stock can never go negative and never below what is
-- reserved: the CHECKs hold it whatever the code does, and the API answers 409 with the shortfall.
CREATE TABLE parts (
    tenant_id   uuid          NOT NULL REFERENCES tenants (id),
    id          uuid          NOT NULL,
    part_number text          NOT NULL CHECK (length(btrim(part_number)) BETWEEN 1 AND 64),
    oem_number  text          CHECK (length(oem_number) BETWEEN 1 AND 64),
    name        text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    brand       text          CHECK (length(brand) <= 100),
    unit        text          NOT NULL DEFAULT '个' CHECK (length(btrim(unit)) BETWEEN 1 AND 20),
    price       numeric(12,2) NOT NULL DEFAULT 0 CHECK (price >= 0),
    -- [{"make": "丰田", "model": "卡罗拉"}]: empty fits every vehicle.
    fits        jsonb         NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fits) = 'array'),
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now(),
    version     integer       NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, part_number)
);
CREATE INDEX parts_newest ON parts (tenant_id, created_at DESC, id DESC);

CREATE TABLE part_stock (
    tenant_id     uuid          NOT NULL,
    shop_id       uuid          NOT NULL,
    part_id       uuid          NOT NULL,
    on_hand       numeric(12,3) NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved      numeric(12,3) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    -- At or below this many available (on hand less reserved), the stock is low.
    reorder_level numeric(12,3) NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, shop_id, part_id),
    FOREIGN KEY (tenant_id, shop_id) REFERENCES shops (tenant_id, id),
    FOREIGN KEY (tenant_id, part_id) REFERENCES parts (tenant_id, id),
    CONSTRAINT part_stock_reserved_on_hand CHECK (reserved <= on_hand)
);

-- What an approved requisition holds for its order, until the order is completed (consumed) or
-- cancelled (released).
CREATE TABLE part_reservations (
    tenant_id      uuid          NOT NULL,
    id             uuid          NOT NULL,
    requisition_id uuid          NOT NULL,
    work_order_id  uuid          NOT NULL,
    shop_id        uuid          NOT NULL,
    part_id        uuid          NOT NULL,
    quantity       numeric(12,3) NOT NULL CHECK (quantity > 0),
    state          text          NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'consumed', 'released')),
    created_at     timestamptz   NOT NULL,
    settled_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, requisition_id) REFERENCES parts_requisitions (tenant_id, id),
    FOREIGN KEY (tenant_id, work_order_id) REFERENCES work_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id, part_id) REFERENCES part_stock (tenant_id, shop_id, part_id)
);
CREATE INDEX part_reservations_held ON part_reservations (tenant_id, work_order_id) WHERE state = 'held';

CREATE TABLE stock_movements (
    tenant_id      uuid          NOT NULL,
    id             uuid          NOT NULL,
    shop_id        uuid          NOT NULL,
    part_id        uuid          NOT NULL,
    kind           text          NOT NULL CHECK (kind IN ('receipt', 'reservation', 'release', 'consumption', 'adjustment')),
    -- Signed change of on_hand and of reserved this movement made.
    on_hand_change numeric(12,3) NOT NULL,
    reserved_change numeric(12,3) NOT NULL,
    on_hand_after  numeric(12,3) NOT NULL,
    reserved_after numeric(12,3) NOT NULL,
    work_order_id  uuid,
    requisition_id uuid,
    reason         text          CHECK (length(reason) <= 500),
    actor_key_id   uuid,
    created_at     timestamptz   NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, shop_id, part_id) REFERENCES part_stock (tenant_id, shop_id, part_id),
    CHECK (kind <> 'adjustment' OR reason IS NOT NULL)
);
CREATE INDEX stock_movements_newest ON stock_movements (tenant_id, created_at DESC, id DESC);
CREATE INDEX stock_movements_by_stock ON stock_movements (tenant_id, shop_id, part_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['parts', 'part_stock', 'part_reservations', 'stock_movements'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = current_tenant_id()) WITH CHECK (tenant_id = current_tenant_id())', t);
        EXECUTE format('CREATE POLICY owner_access ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON parts, part_stock, part_reservations TO pitstop_app;
GRANT SELECT, INSERT ON stock_movements TO pitstop_app;
