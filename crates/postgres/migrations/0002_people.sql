-- People: accounts, sessions and API tokens (only hashes of secrets are stored), how each
-- venture is joined and read, which account each member signs in with, and requests to join.

CREATE TABLE accounts (
    account_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    display_name  TEXT   NOT NULL,
    password_hash TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash    BYTEA  PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    account_id    BIGINT NOT NULL REFERENCES accounts (account_id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    token_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    BYTEA  NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    account_id    BIGINT NOT NULL REFERENCES accounts (account_id),
    name          TEXT   NOT NULL,
    prefix        TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);

CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE venture_access (
    venture_id    BIGINT PRIMARY KEY REFERENCES ventures (venture_id),
    join_mode     TEXT   NOT NULL CHECK (join_mode IN ('open', 'request', 'invite')),
    visibility    TEXT   NOT NULL CHECK (visibility IN ('public', 'members')),
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE member_accounts (
    venture_id BIGINT  NOT NULL,
    member_no  INTEGER NOT NULL,
    account_id BIGINT  NOT NULL REFERENCES accounts (account_id),
    PRIMARY KEY (venture_id, member_no),
    UNIQUE (venture_id, account_id),
    FOREIGN KEY (venture_id, member_no) REFERENCES members (venture_id, member_no)
);

CREATE INDEX member_accounts_account ON member_accounts (account_id);

CREATE TABLE join_requests (
    venture_id      BIGINT NOT NULL REFERENCES ventures (venture_id),
    request_no      BIGINT NOT NULL,
    account_id      BIGINT NOT NULL REFERENCES accounts (account_id),
    message         TEXT   NOT NULL,
    requested_at_ms BIGINT NOT NULL,
    status          TEXT   NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    decided_at_ms   BIGINT,
    PRIMARY KEY (venture_id, request_no)
);

-- At most one pending request per person and venture.
CREATE UNIQUE INDEX join_requests_pending ON join_requests (venture_id, account_id) WHERE status = 'pending';
