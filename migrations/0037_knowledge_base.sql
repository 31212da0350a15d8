-- The knowledge base: a tenant's articles (title, body, tags, symptoms, which makes and models
-- they fit), and similar-case suggestions for an order from its resolved orders and articles, by
-- trigram similarity. pg_trgm's trigrams work on Chinese text (each run of characters between
-- punctuation is a word); btree_gist lets one GiST index hold the tenant and the text, so the
-- nearest matches are found within one tenant without reading the others'.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE knowledge_articles (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id),
    id          uuid        NOT NULL,
    title       text        NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body        text        NOT NULL CHECK (length(body) <= 50000),
    tags        text[]      NOT NULL DEFAULT '{}',
    symptoms    text[]      NOT NULL DEFAULT '{}',
    -- [{"make": "丰田", "model": "卡罗拉"}, {"make": "本田"}]: empty fits every vehicle.
    fits        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fits) = 'array'),
    -- What suggestions compare: title, symptoms and tags (the body would dilute the match).
    search_text text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX knowledge_articles_similar ON knowledge_articles USING gist (tenant_id, search_text gist_trgm_ops);
CREATE INDEX knowledge_articles_newest ON knowledge_articles (tenant_id, created_at DESC, id DESC);

ALTER TABLE knowledge_articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_articles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_articles
    USING (tenant_id = current_tenant_id())
    WITH CHECK (tenant_id = current_tenant_id());
CREATE POLICY owner_access ON knowledge_articles TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON knowledge_articles TO pitstop_app;

-- Resolved orders by description, for "similar cases". Only completed orders are indexed, so
-- creating and working on orders pays nothing for it.
CREATE INDEX work_orders_similar_resolved ON work_orders USING gist (tenant_id, description gist_trgm_ops) WHERE status = 'completed';
