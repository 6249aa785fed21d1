-- Confide: set up a PostgreSQL hub for one team (README, "Setting up a PostgreSQL hub", the
-- runbook; docs/hub.md "PostgreSQL hub"). Confide writes this file: confide hub setup-sql.
--
-- Run once per team, on the server, as the postgres account (root's own `psql -U postgres`
-- is refused by peer authentication):
--     sudo -u postgres psql -v dbname=confide_northshire -f postgres-setup.sql
-- then give the founding computer's login its password (typed, never stored in a file):
--     sudo -u postgres psql -c '\password confide_northshire_founder'
-- and hand the manager the connection string postgresql://<founder>@<host>/<dbname> for
-- `confide team create` (it asks for the password). Every other computer gets a login of its
-- own, made by a manager's computer when it invites it (the invitation carries it).
--
-- Optional settings (psql -v NAME=VALUE): dbname (confide_hub); owner_role, device_group,
-- manager_group, founder_role, maintainer_role (default: the database name followed by
-- _owner, _device, _manager, _founder, _maintainer, so two teams on one server share no
-- role); founder_password, maintainer_password (only for scripted installs and tests: they
-- then appear in the server's process list for a moment).
--
-- What it makes: a database holding one team's hub, owned by a role nobody logs in as, that
-- no other role may connect to (CONNECT revoked from PUBLIC); a group role every computer's
-- login belongs to, which may only read the tables and call confide.append and
-- confide.put_snapshot (each names the calling computer from its login, so no login writes
-- as another computer); a manager group whose logins may also make a login for a new
-- computer and revoke one (its login is disabled at once). Appends take a row lock that a
-- client cannot hold for more than a few seconds (the next appender ends such a session),
-- and rows have a size limit. The hub only ever holds ciphertext: no personal data and no
-- keys live in this database.
-- Safe to run again: it creates what is missing and refreshes the functions and grants.

\set ON_ERROR_STOP on
\if :{?dbname}
\else
\set dbname confide_hub
\endif
\if :{?owner_role}
\else
\set owner_role :dbname _owner
\endif
\if :{?device_group}
\else
\set device_group :dbname _device
\endif
\if :{?manager_group}
\else
\set manager_group :dbname _manager
\endif
\if :{?founder_role}
\else
\set founder_role :dbname _founder
\endif
\if :{?maintainer_role}
\else
\set maintainer_role :dbname _maintainer
\endif

-- The owner makes and disables computers' logins (CREATEROLE), ends a session that holds
-- the append lock too long (pg_signal_backend) and sees how long it has (pg_read_all_stats).
SELECT format('CREATE ROLE %I NOLOGIN', :'owner_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role') \gexec
ALTER ROLE :"owner_role" CREATEROLE;
GRANT pg_signal_backend, pg_read_all_stats TO :"owner_role";
SELECT format('CREATE ROLE %I NOLOGIN', :'device_group')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'device_group') \gexec
SELECT format('CREATE ROLE %I NOLOGIN', :'manager_group')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'manager_group') \gexec
GRANT :"device_group" TO :"manager_group";
SELECT format('CREATE ROLE %I LOGIN CONNECTION LIMIT 4', :'founder_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'founder_role') \gexec
GRANT :"manager_group" TO :"founder_role";
\if :{?founder_password}
ALTER ROLE :"founder_role" PASSWORD :'founder_password';
\endif
-- IT's maintenance login, for compaction (docs/hub.md "Compaction"): it acts as the owner, so
-- it may compact and VACUUM. It has no password until IT gives it one for a maintenance
-- session (\password), so nobody can log in as it before; IT may take it away afterwards
-- (ALTER ROLE ... PASSWORD NULL). It is in no computer's group.
SELECT format('CREATE ROLE %I LOGIN CONNECTION LIMIT 2', :'maintainer_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'maintainer_role') \gexec
GRANT :"owner_role" TO :"maintainer_role";
\if :{?maintainer_password}
ALTER ROLE :"maintainer_role" PASSWORD :'maintainer_password';
\endif
-- Defaults for every computer's login (a client may lower them; the append lock does not
-- rely on them: see confide.append).
ALTER ROLE :"founder_role" SET statement_timeout = '60s';
ALTER ROLE :"founder_role" SET lock_timeout = '30s';
ALTER ROLE :"founder_role" SET idle_in_transaction_session_timeout = '60s';

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'dbname', :'owner_role', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname') \gexec
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"device_group";

\connect :"dbname"
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- One transaction: a second run never leaves a moment with the trigger dropped.
BEGIN;
SET LOCAL ROLE :"owner_role";
CREATE SCHEMA IF NOT EXISTS confide;

-- The one team this database serves (a single row: the founding computer writes it).
CREATE TABLE IF NOT EXISTS confide.team (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    team_id    text NOT NULL CHECK (length(team_id) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The group roles, for the functions below (psql variables do not reach function bodies).
CREATE TABLE IF NOT EXISTS confide.hub_roles (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    device_group  name NOT NULL,
    manager_group name NOT NULL
);
INSERT INTO confide.hub_roles (device_group, manager_group) VALUES (:'device_group', :'manager_group')
    ON CONFLICT (only_row) DO UPDATE SET device_group = excluded.device_group,
                                         manager_group = excluded.manager_group;

-- Size limits for what a computer sends (docs/hub.md). IT may lower them here; the CHECK
-- constraints below are the ceiling.
CREATE TABLE IF NOT EXISTS confide.limits (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    max_entry    bigint NOT NULL DEFAULT 67108864,
    max_snapshot bigint NOT NULL DEFAULT 68719476736
);
INSERT INTO confide.limits DEFAULT VALUES ON CONFLICT DO NOTHING;

-- Which computer each login is. The founding login is bound to its computer by its first
-- entry; every other login is made for one computer (confide.add_device_login).
CREATE TABLE IF NOT EXISTS confide.device_logins (
    role_name   name PRIMARY KEY,
    device_id   text UNIQUE CHECK (device_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$'),
    manager     boolean NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
INSERT INTO confide.device_logins (role_name, device_id, manager) VALUES (:'founder_role', NULL, true)
    ON CONFLICT (role_name) DO NOTHING;

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

-- Snapshots in pieces (docs/hub.md "Snapshots in pieces"): a snapshot row written by this
-- version holds only a manifest naming its pieces (their sizes and SHA-256), and pieces_id
-- names them; a row with no pieces_id is a whole snapshot from an older Confide.
ALTER TABLE confide.snapshots ADD COLUMN IF NOT EXISTS pieces_id text;
CREATE TABLE IF NOT EXISTS confide.snapshot_pieces (
    snapshot_id text NOT NULL CHECK (snapshot_id ~ '^[0-9a-f]{32}$'),
    n          integer NOT NULL CHECK (n >= 0),
    upto_seq   bigint NOT NULL CHECK (upto_seq >= 0),
    device_id  text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$'),
    payload    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (snapshot_id, n)
);

-- The append lock: one row, locked FOR UPDATE by confide.append. A computer's login has no
-- privilege on this table, so it can take this lock only inside confide.append.
CREATE TABLE IF NOT EXISTS confide.append_lock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row)
);
INSERT INTO confide.append_lock VALUES (true) ON CONFLICT DO NOTHING;

-- Compaction (docs/hub.md) keeps a dropped bundle's number as a stub of kind 'compacted'.
ALTER TABLE confide.entries DROP CONSTRAINT IF EXISTS entries_kind_check;
ALTER TABLE confide.entries ADD CONSTRAINT entries_kind_check CHECK (kind IN ('bundle', 'control', 'compacted'));
-- Size limits (docs/hub.md): an entry 64 MiB, a snapshot 1000 MiB. NOT VALID: rows already
-- there stay; every new row is checked.
ALTER TABLE confide.entries DROP CONSTRAINT IF EXISTS entries_size_check;
ALTER TABLE confide.entries ADD CONSTRAINT entries_size_check
    CHECK (octet_length(payload) <= 67108864) NOT VALID;
ALTER TABLE confide.snapshots DROP CONSTRAINT IF EXISTS snapshots_size_check;
ALTER TABLE confide.snapshots ADD CONSTRAINT snapshots_size_check
    CHECK (octet_length(payload) <= 1048576000) NOT VALID;
-- A piece is at most an entry's size; a whole snapshot (the sum of its pieces) at most
-- confide.limits.max_snapshot, 64 GiB unless IT lowers it. The old 1000 MiB default, left
-- as it was, is raised with it.
ALTER TABLE confide.snapshot_pieces DROP CONSTRAINT IF EXISTS snapshot_pieces_size_check;
ALTER TABLE confide.snapshot_pieces ADD CONSTRAINT snapshot_pieces_size_check
    CHECK (octet_length(payload) <= 67108864) NOT VALID;
ALTER TABLE confide.limits ALTER COLUMN max_snapshot SET DEFAULT 68719476736;
UPDATE confide.limits SET max_snapshot = 68719476736 WHERE max_snapshot = 1048576000;

-- True only inside confide.restore_entry (owner only, docs/hub.md "Repair"), which marks
-- its own transaction. confide.append also runs as the owner, so the owner being the
-- current user proves nothing: the mark is checked together with the session's login,
-- which must not be one of the team's computers (a computer could set the mark itself).
CREATE OR REPLACE FUNCTION confide.restoring() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(current_setting('confide.restoring', true), '') = 'on'
       AND NOT EXISTS (SELECT 1 FROM confide.device_logins l WHERE l.role_name = session_user)
$$;

-- The checks every insert meets, whoever makes it: a revoked device, a taken number, a gap
-- (but confide.restore_entry may put back a lost entry below the head). The server sets the
-- time and size. (confide.append holds the append lock around it.)
CREATE OR REPLACE FUNCTION confide.entries_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last_seq bigint;
BEGIN
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
DROP TRIGGER IF EXISTS snapshot_pieces_refuse_revoked ON confide.snapshot_pieces;
CREATE TRIGGER snapshot_pieces_refuse_revoked BEFORE INSERT ON confide.snapshot_pieces
    FOR EACH ROW EXECUTE FUNCTION confide.refuse_revoked();

-- The computer the calling login is, which must be `claimed`: never a name the client
-- gives. The founding login is bound to its computer here, at its first write.
CREATE OR REPLACE FUNCTION confide.calling_device(claimed text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    bound text;
BEGIN
    SELECT l.device_id INTO bound FROM confide.device_logins l
     WHERE l.role_name = session_user AND l.disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'login % is not a computer of this team', session_user USING ERRCODE = 'CF006';
    END IF;
    IF bound IS NULL THEN
        BEGIN
            UPDATE confide.device_logins SET device_id = claimed WHERE role_name = session_user;
        EXCEPTION WHEN unique_violation THEN
            RAISE EXCEPTION 'computer % already has a login', claimed USING ERRCODE = 'CF006';
        END;
        RETURN claimed;
    END IF;
    IF bound <> claimed THEN
        RAISE EXCEPTION 'login % belongs to another computer', session_user USING ERRCODE = 'CF006';
    END IF;
    RETURN bound;
END
$$;

-- Appending: the only way a computer adds an entry, and the only thing that notifies.
-- The append lock is a row lock taken with NOWAIT in a loop. A session whose transaction
-- holds it and began more than 5 seconds ago (a client that appended inside a transaction
-- and sits on it) is ended, and its entry never lands. An honest append is one statement in
-- its own transaction that waits here at most 1 second (CF008: busy; the client tries again
-- in a new transaction), so an honest holder's transaction is never that old.
CREATE OR REPLACE FUNCTION confide.append(p_seq bigint, p_device text, p_kind text, p_payload bytea)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    device text;
    stamped timestamptz;
    deadline timestamptz := clock_timestamp() + interval '1 second';
BEGIN
    device := confide.calling_device(p_device);
    IF p_kind NOT IN ('bundle', 'control') THEN
        RAISE EXCEPTION 'a computer may append only bundle and control entries' USING ERRCODE = 'CF005';
    END IF;
    IF octet_length(p_payload) > (SELECT max_entry FROM confide.limits) THEN
        RAISE EXCEPTION 'an entry may hold at most % bytes', (SELECT max_entry FROM confide.limits)
            USING ERRCODE = 'CF007';
    END IF;
    LOOP
        BEGIN
            PERFORM 1 FROM confide.append_lock FOR UPDATE NOWAIT;
            EXIT;
        EXCEPTION WHEN lock_not_available THEN
            PERFORM pg_terminate_backend(a.pid)
               FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND l.relation = 'confide.append_lock'::regclass AND l.granted
                AND l.pid <> pg_backend_pid()
                AND a.xact_start < clock_timestamp() - interval '5 seconds';
            IF clock_timestamp() > deadline THEN
                RAISE EXCEPTION 'the hub is busy: another session holds the append lock' USING ERRCODE = 'CF008';
            END IF;
            PERFORM pg_sleep(0.02);
        END;
    END LOOP;
    INSERT INTO confide.entries (seq, device_id, kind, payload) VALUES (p_seq, device, p_kind, p_payload)
        RETURNING created_at INTO stamped;
    PERFORM pg_notify('confide_hub', p_seq::text);
    RETURN stamped;
END
$$;

-- A snapshot, under the calling computer's name, for a point the log has reached. Each
-- computer keeps at most its two newest: junk from one login costs a joiner at most two
-- downloads before it falls back to another computer's snapshot.
CREATE OR REPLACE FUNCTION confide.put_snapshot(p_upto bigint, p_device text, p_payload bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    device text;
BEGIN
    device := confide.calling_device(p_device);
    IF octet_length(p_payload) > (SELECT max_snapshot FROM confide.limits) THEN
        RAISE EXCEPTION 'a snapshot may hold at most % bytes', (SELECT max_snapshot FROM confide.limits)
            USING ERRCODE = 'CF007';
    END IF;
    IF p_upto > (SELECT coalesce(max(seq), 0) FROM confide.entries) THEN
        RAISE EXCEPTION 'a snapshot cannot be ahead of the log' USING ERRCODE = 'CF003';
    END IF;
    INSERT INTO confide.snapshots (upto_seq, device_id, payload) VALUES (p_upto, device, p_payload);
    DELETE FROM confide.snapshots s WHERE s.device_id = device AND s.ctid NOT IN (
        SELECT k.ctid FROM confide.snapshots k WHERE k.device_id = device
         ORDER BY k.upto_seq DESC, k.created_at DESC LIMIT 2);
END
$$;

-- One piece of a snapshot being written by the calling computer (docs/hub.md "Snapshots in
-- pieces"). Nobody reads it until confide.publish_snapshot names it; a computer stopped
-- between pieces leaves pieces nobody names, removed at its next snapshot or at compaction.
CREATE OR REPLACE FUNCTION confide.put_snapshot_piece(p_id text, p_n integer, p_upto bigint, p_device text,
                                                      p_payload bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    device text;
BEGIN
    device := confide.calling_device(p_device);
    IF octet_length(p_payload) > (SELECT max_entry FROM confide.limits) THEN
        RAISE EXCEPTION 'a snapshot piece may hold at most % bytes', (SELECT max_entry FROM confide.limits)
            USING ERRCODE = 'CF007';
    END IF;
    IF EXISTS (SELECT 1 FROM confide.snapshot_pieces p WHERE p.snapshot_id = p_id
                AND (p.device_id <> device OR p.upto_seq <> p_upto))
       OR EXISTS (SELECT 1 FROM confide.snapshots s WHERE s.pieces_id = p_id) THEN
        RAISE EXCEPTION 'snapshot % is another computer''s or already published', p_id USING ERRCODE = 'CF006';
    END IF;
    IF (SELECT coalesce(sum(octet_length(p.payload)), 0) FROM confide.snapshot_pieces p WHERE p.snapshot_id = p_id)
       + octet_length(p_payload) > (SELECT max_snapshot FROM confide.limits) THEN
        RAISE EXCEPTION 'a snapshot may hold at most % bytes', (SELECT max_snapshot FROM confide.limits)
            USING ERRCODE = 'CF007';
    END IF;
    INSERT INTO confide.snapshot_pieces (snapshot_id, n, upto_seq, device_id, payload)
        VALUES (p_id, p_n, p_upto, device, p_payload);
END
$$;

-- Publish a snapshot whose pieces are all on the hub: its manifest becomes a row of
-- confide.snapshots in one statement, so a reader sees it whole or not at all. Each computer
-- keeps its two newest; pieces no remaining row names (its older snapshots', a stopped
-- write's) go at once: a reader still copying them reads in one REPEATABLE READ transaction
-- and keeps seeing them until it ends.
CREATE OR REPLACE FUNCTION confide.publish_snapshot(p_upto bigint, p_device text, p_id text, p_count integer,
                                                    p_manifest bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    device text;
BEGIN
    device := confide.calling_device(p_device);
    IF octet_length(p_manifest) > (SELECT max_entry FROM confide.limits) THEN
        RAISE EXCEPTION 'a snapshot''s manifest may hold at most % bytes', (SELECT max_entry FROM confide.limits)
            USING ERRCODE = 'CF007';
    END IF;
    IF p_upto > (SELECT coalesce(max(seq), 0) FROM confide.entries) THEN
        RAISE EXCEPTION 'a snapshot cannot be ahead of the log' USING ERRCODE = 'CF003';
    END IF;
    IF (SELECT count(*) FROM confide.snapshot_pieces p WHERE p.snapshot_id = p_id AND p.device_id = device
          AND p.upto_seq = p_upto AND p.n < p_count) <> p_count
       OR EXISTS (SELECT 1 FROM confide.snapshots s WHERE s.pieces_id = p_id) THEN
        RAISE EXCEPTION 'the pieces of snapshot % are not all on the hub', p_id USING ERRCODE = 'CF010';
    END IF;
    INSERT INTO confide.snapshots (upto_seq, device_id, payload, pieces_id) VALUES (p_upto, device, p_manifest, p_id);
    DELETE FROM confide.snapshots s WHERE s.device_id = device AND s.ctid NOT IN (
        SELECT k.ctid FROM confide.snapshots k WHERE k.device_id = device
         ORDER BY k.upto_seq DESC, k.created_at DESC LIMIT 2);
    DELETE FROM confide.snapshot_pieces p WHERE p.device_id = device AND NOT EXISTS (
        SELECT 1 FROM confide.snapshots s WHERE s.pieces_id = p.snapshot_id);
END
$$;

-- For managers' computers: a login of its own for a newly enrolled computer. The caller
-- sends a SCRAM verifier, never the password itself.
CREATE OR REPLACE FUNCTION confide.add_device_login(p_device text, p_verifier text, p_manager boolean)
RETURNS name
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    roles confide.hub_roles;
    login name;
BEGIN
    IF p_device IS NULL OR p_device !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$' THEN
        RAISE EXCEPTION 'not a device id' USING ERRCODE = 'CF006';
    END IF;
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'a SCRAM-SHA-256 verifier is required' USING ERRCODE = 'CF006';
    END IF;
    IF EXISTS (SELECT 1 FROM confide.device_logins WHERE device_id = p_device)
       OR EXISTS (SELECT 1 FROM confide.revoked_devices WHERE device_id = p_device) THEN
        RAISE EXCEPTION 'computer % already has a login', p_device USING ERRCODE = 'CF006';
    END IF;
    SELECT * INTO roles FROM confide.hub_roles;
    login := left(current_database(), 30) || '_' || left(md5(p_device), 16);
    EXECUTE format('CREATE ROLE %I LOGIN CONNECTION LIMIT 4 PASSWORD %L IN ROLE %I',
                   login, p_verifier, CASE WHEN p_manager THEN roles.manager_group ELSE roles.device_group END);
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login, '60s');
    EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', login, '30s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', login, '60s');
    INSERT INTO confide.device_logins (role_name, device_id, manager) VALUES (login, p_device, p_manager);
    RETURN login;
END
$$;

-- For managers' computers: the hub refuses the computer from now on and its login is
-- disabled (its open sessions are ended).
CREATE OR REPLACE FUNCTION confide.revoke_device(p_device text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    gone record;
BEGIN
    INSERT INTO confide.revoked_devices (device_id) VALUES (p_device) ON CONFLICT DO NOTHING;
    FOR gone IN SELECT role_name FROM confide.device_logins WHERE device_id = p_device LOOP
        EXECUTE format('ALTER ROLE %I NOLOGIN', gone.role_name);
        UPDATE confide.device_logins SET disabled_at = coalesce(disabled_at, now())
         WHERE role_name = gone.role_name;
        PERFORM pg_terminate_backend(a.pid) FROM pg_stat_activity a WHERE a.usename = gone.role_name;
    END LOOP;
END
$$;

-- Compaction, for the hub's owner only (never granted to a computer's login): drops the
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
    PERFORM 1 FROM confide.append_lock FOR UPDATE;
    UPDATE confide.entries SET kind = 'compacted', payload = ''::bytea, size = 0
     WHERE seq <= upto AND kind = 'bundle';
    GET DIAGNOSTICS dropped = ROW_COUNT;
    DELETE FROM confide.snapshots WHERE upto_seq < upto;
    -- Pieces of the snapshots just dropped, and of any write stopped before that point.
    DELETE FROM confide.snapshot_pieces p WHERE p.upto_seq < upto AND NOT EXISTS (
        SELECT 1 FROM confide.snapshots s WHERE s.pieces_id = p.snapshot_id);
    RETURN dropped;
END
$$;

-- Repair (docs/hub.md "Repair"), for the hub's owner only: put back entry `s` from a
-- computer's copy where the hub has nothing, or (`replace`, after the computer proved the
-- hub's entry forged) set it aside in confide.entries_replaced and write the copy. No
-- computer's login may call it (revoked from every role below); it holds the append lock.
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
    IF EXISTS (SELECT 1 FROM confide.device_logins l WHERE l.role_name = session_user) THEN
        RAISE EXCEPTION 'only the hub''s owner puts back entries' USING ERRCODE = 'CF009';
    END IF;
    PERFORM 1 FROM confide.append_lock FOR UPDATE;
    IF EXISTS (SELECT 1 FROM confide.entries e WHERE e.seq = s) THEN
        IF NOT replace THEN
            RAISE EXCEPTION 'entry % is there; not replaced', s USING ERRCODE = 'CF006';
        END IF;
        INSERT INTO confide.entries_replaced (seq, device_id, kind, payload)
            SELECT e.seq, e.device_id, e.kind, e.payload FROM confide.entries e WHERE e.seq = s;
        DELETE FROM confide.entries e WHERE e.seq = s;
    END IF;
    PERFORM set_config('confide.restoring', 'on', true);
    INSERT INTO confide.entries (seq, device_id, kind, payload) VALUES (s, dev, k, p);
    PERFORM set_config('confide.restoring', '', true);
END
$$;
REVOKE ALL ON FUNCTION confide.restore_entry(bigint, text, text, bytea, boolean) FROM PUBLIC;

-- Computers: read the log, revocations, snapshots and the team; write only through the
-- functions. Managers' computers: also make and revoke logins, and bind the team. The hub's
-- owner alone calls confide.restore_entry and reads confide.entries_replaced.
REVOKE ALL ON ALL TABLES IN SCHEMA confide FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA confide FROM :"device_group", :"manager_group";
-- A hub made by an older script granted INSERT to one shared login: every grant on these
-- tables to any other role is taken back.
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT DISTINCT grantee, table_name FROM information_schema.role_table_grants
              WHERE table_schema = 'confide' AND grantee <> current_user AND grantee <> 'PUBLIC' LOOP
        EXECUTE format('REVOKE ALL ON confide.%I FROM %I', g.table_name, g.grantee);
    END LOOP;
END
$$;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA confide FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA confide FROM :"device_group", :"manager_group";
GRANT USAGE ON SCHEMA confide TO :"device_group";
GRANT SELECT ON confide.team, confide.entries, confide.revoked_devices, confide.snapshots,
                 confide.snapshot_pieces TO :"device_group";
GRANT EXECUTE ON FUNCTION confide.append(bigint, text, text, bytea),
                          confide.put_snapshot(bigint, text, bytea),
                          confide.put_snapshot_piece(text, integer, bigint, text, bytea),
                          confide.publish_snapshot(bigint, text, text, integer, bytea) TO :"device_group";
GRANT INSERT ON confide.team TO :"manager_group";
GRANT EXECUTE ON FUNCTION confide.add_device_login(text, text, boolean),
                          confide.revoke_device(text) TO :"manager_group";
COMMIT;

\echo 'Done. In pg_hba.conf, ABOVE any "host all all" line, let the computers in over TLS only and keep'
\echo 'them out of every other database (README, "Setting up a PostgreSQL hub"), then reload:'
\echo '    hostssl' :dbname '+':device_group 'OFFICE-NETWORK/24 scram-sha-256'
\echo '    host    all +':device_group 'all reject'
\echo '    hostssl' :dbname :maintainer_role 'IT-COMPUTER/32 scram-sha-256'
