-- The clinic server's schema (stretchcoach clinic): patients, their tokens (hashed), and the sessions they
-- shared. A session is one row: its stretches and its timeline as JSON, written in one statement, so a
-- share cut off half way leaves nothing, and sharing it again replaces it (unique per patient and uid).

CREATE TABLE patients (
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A token is "<id>.<secret>": the id finds the row, the secret is kept only as sha256(salt || secret).
-- patient_id is null for the clinician's token.
CREATE TABLE tokens (
    id text PRIMARY KEY,
    patient_id bigint REFERENCES patients(id) ON DELETE CASCADE,
    salt bytea NOT NULL,
    hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX tokens_patient ON tokens (patient_id);

CREATE TABLE sessions (
    id bigserial PRIMARY KEY,
    patient_id bigint NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    uid text NOT NULL,
    started_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    ended_at timestamptz,
    shared_at timestamptz NOT NULL DEFAULT now(),
    source text NOT NULL,
    routine text,
    frames bigint NOT NULL,
    duration_s double precision NOT NULL,
    stretches jsonb NOT NULL,   -- [StoredStretch]
    timeline jsonb NOT NULL,    -- [Sample]
    UNIQUE (patient_id, uid)
);
CREATE INDEX sessions_patient_started ON sessions (patient_id, started_at DESC);
