-- Confide: set up a PostgreSQL hub for one team (README, "Setting up a PostgreSQL hub").
--
-- Run once, as a PostgreSQL superuser, on the server:
--     psql -U postgres -f postgres-setup.sql
-- then give the device role its password (typed, never stored in a file or shell history):
--     psql -U postgres -c '\password confide_device'
-- Optional settings (psql -v NAME=VALUE): dbname (confide_hub), owner_role
-- (confide_hub_owner), device_role (confide_device), device_password (only for scripted
-- installs and tests; it then appears in the server's process list for a moment).
--
-- What it makes: a database holding one team's hub, owned by a role nobody logs in as;
-- a device role that may SELECT and INSERT only (no UPDATE, DELETE or TRUNCATE), so no
-- computer can rewrite or erase the log; a trigger that accepts an entry only at the next
-- sequence number and refuses revoked devices; NOTIFY on every new entry. The hub only
-- ever holds ciphertext: no personal data and no keys live in this database.
-- Safe to run again: it creates what is missing and refreshes the functions and grants.

\set ON_ERROR_STOP on
\if :{?dbname}
\else
\set dbname confide_hub
\endif
\if :{?owner_role}
\else
\set owner_role confide_hub_owner
\endif
\if :{?device_role}
\else
\set device_role confide_device
\endif

SELECT format('CREATE ROLE %I NOLOGIN', :'owner_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'device_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'device_role') \gexec
\if :{?device_password}
ALTER ROLE :"device_role" PASSWORD :'device_password';
\endif
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'dbname', :'owner_role', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"device_role";

\connect :"dbname"
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- One transaction: a second run never leaves a moment with the trigger dropped.
BEGIN;
SET LOCAL ROLE :"owner_role";
CREATE SCHEMA IF NOT EXISTS confide;

-- The one team this database serves (a single row: the first computer writes it).
CREATE TABLE IF NOT EXISTS confide.team (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    team_id    text NOT NULL CHECK (length(team_id) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The log: opaque ciphertext at consecutive sequence numbers.
CREATE TABLE IF NOT EXISTS confide.entries (
    seq        bigint PRIMARY KEY CHECK (seq >= 1),
    device_id  text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$'),
    kind       text NOT NULL CHECK (kind IN ('bundle', 'control')),
    payload    bytea NOT NULL,
    size       integer,
    created_at timestamptz
);

CREATE TABLE IF NOT EXISTS confide.revoked_devices (
    device_id  text PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS confide.snapshots (
    upto_seq   bigint NOT NULL CHECK (upto_seq >= 0),
    device_id  text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$'),
    payload    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS snapshots_upto ON confide.snapshots (upto_seq DESC, created_at DESC);

-- Compaction (docs/hub.md) keeps a dropped bundle's number as a stub of kind 'compacted'.
ALTER TABLE confide.entries DROP CONSTRAINT IF EXISTS entries_kind_check;
ALTER TABLE confide.entries ADD CONSTRAINT entries_kind_check CHECK (kind IN ('bundle', 'control', 'compacted'));

-- True only inside confide.restore_entry, which runs as the owner (SECURITY DEFINER): a
-- device role can never be the schema's owner, whatever settings it makes.
CREATE OR REPLACE FUNCTION confide.restoring() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT current_user = (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'confide')
$$;

-- Appends one at a time (a transaction-scoped lock), so "is this head + 1?" and the insert
-- are one step; the primary key is the second guard. The server sets the time and size.
CREATE OR REPLACE FUNCTION confide.entries_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last_seq bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(727364100);
    IF EXISTS (SELECT 1 FROM confide.revoked_devices r WHERE r.device_id = NEW.device_id) THEN
        RAISE EXCEPTION 'device % has been revoked', NEW.device_id USING ERRCODE = 'CF001';
    END IF;
    IF NEW.kind = 'compacted' THEN
        RAISE EXCEPTION 'only compaction makes compacted entries' USING ERRCODE = 'CF005';
    END IF;
    IF confide.restoring() THEN
        -- confide.restore_entry (owner only) puts back a lost entry below the head.
        NEW.created_at := clock_timestamp();
        NEW.size := octet_length(NEW.payload);
        RETURN NEW;
    END IF;
    SELECT coalesce(max(seq), 0) INTO last_seq FROM confide.entries;
    IF NEW.seq <= last_seq THEN
        RAISE EXCEPTION 'sequence number % is taken (head %)', NEW.seq, last_seq USING ERRCODE = 'CF002';
    ELSIF NEW.seq <> last_seq + 1 THEN
        RAISE EXCEPTION 'sequence number % would leave a gap (head %)', NEW.seq, last_seq USING ERRCODE = 'CF003';
    END IF;
    NEW.created_at := clock_timestamp();
    NEW.size := octet_length(NEW.payload);
    PERFORM pg_notify('confide_hub', NEW.seq::text);
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS entries_before_insert ON confide.entries;
CREATE TRIGGER entries_before_insert BEFORE INSERT ON confide.entries
    FOR EACH ROW EXECUTE FUNCTION confide.entries_before_insert();

CREATE OR REPLACE FUNCTION confide.refuse_revoked() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM confide.revoked_devices r WHERE r.device_id = NEW.device_id) THEN
        RAISE EXCEPTION 'device % has been revoked', NEW.device_id USING ERRCODE = 'CF001';
    END IF;
    NEW.created_at := clock_timestamp();
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS snapshots_refuse_revoked ON confide.snapshots;
CREATE TRIGGER snapshots_refuse_revoked BEFORE INSERT ON confide.snapshots
    FOR EACH ROW EXECUTE FUNCTION confide.refuse_revoked();

-- Compaction, for the hub's owner only (never granted to the device role): drops the
-- payload of every bundle entry up to a sequence number that a snapshot covers, and every
-- older snapshot. The caller (confide hub compact) has checked that every active computer
-- is past that point, or was told to go on anyway (erasure). Run VACUUM afterwards so the
-- old row versions leave the table files too.
CREATE OR REPLACE FUNCTION confide.compact(upto bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    dropped bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM confide.snapshots s WHERE s.upto_seq = upto) THEN
        RAISE EXCEPTION 'the hub holds no snapshot at entry %', upto USING ERRCODE = 'CF004';
    END IF;
    PERFORM pg_advisory_xact_lock(727364100);
    UPDATE confide.entries SET kind = 'compacted', payload = ''::bytea, size = 0
     WHERE seq <= upto AND kind = 'bundle';
    GET DIAGNOSTICS dropped = ROW_COUNT;
    DELETE FROM confide.snapshots WHERE upto_seq < upto;
    RETURN dropped;
END
$$;
REVOKE ALL ON FUNCTION confide.compact(bigint) FROM PUBLIC;

-- Repair (docs/hub.md "Repair"), for the hub's owner only: put back entry `s` from a
-- computer's copy where the hub has nothing, or (`replace`, after the computer proved the
-- hub's entry forged) set it aside in confide.entries_replaced and write the copy.
CREATE TABLE IF NOT EXISTS confide.entries_replaced (
    seq         bigint NOT NULL,
    device_id   text NOT NULL,
    kind        text NOT NULL,
    payload     bytea NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE OR REPLACE FUNCTION confide.restore_entry(s bigint, dev text, k text, p bytea, replace boolean)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(727364100);
    IF EXISTS (SELECT 1 FROM confide.entries e WHERE e.seq = s) THEN
        IF NOT replace THEN
            RAISE EXCEPTION 'entry % is there; not replaced', s USING ERRCODE = 'CF006';
        END IF;
        INSERT INTO confide.entries_replaced (seq, device_id, kind, payload)
            SELECT e.seq, e.device_id, e.kind, e.payload FROM confide.entries e WHERE e.seq = s;
        DELETE FROM confide.entries e WHERE e.seq = s;
    END IF;
    INSERT INTO confide.entries (seq, device_id, kind, payload) VALUES (s, dev, k, p);
END
$$;
REVOKE ALL ON FUNCTION confide.restore_entry(bigint, text, text, bytea, boolean) FROM PUBLIC;

-- Devices: read everything, add rows, nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA confide FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA confide FROM :"device_role";
GRANT USAGE ON SCHEMA confide TO :"device_role";
GRANT SELECT, INSERT ON confide.team, confide.entries, confide.revoked_devices, confide.snapshots
    TO :"device_role";
COMMIT;
