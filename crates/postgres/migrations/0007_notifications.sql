-- Where to send a person's notifications: an email address per account, optional.
CREATE TABLE account_emails (
    account_id    BIGINT PRIMARY KEY REFERENCES accounts (account_id),
    email         TEXT   NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
