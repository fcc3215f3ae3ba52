//! The PostgreSQL storage of the venture's ledger: ventures, members, terms, policy versions, entries, totals, read marks and idempotency keys.

use super::*;
use peerstake_store::Ledger;

impl Ledger for PostgresTransaction<'_> {
    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError> {
        let hash = genesis.0.as_slice();
        let row = self.pooled().query_one(
            "INSERT INTO ventures (slug, name, pitch, currency, created_at_ms, head_seq, head_hash, number_format, edition)
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) RETURNING venture_id",
            &[
                &venture.slug,
                &venture.name,
                &venture.pitch,
                &venture.currency,
                &venture.created_at_ms,
                &hash,
                &venture.number_format.name(),
                &i16::from(venture.edition.number()),
            ],
        )?;
        Ok(VentureId(get(&row, 0)?))
    }

    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE slug = $1");
        let row = self.pooled().query_opt(&sql, &[&slug])?;
        row.as_ref().map(venture_from_row).transpose()
    }

    fn ventures(&mut self) -> Result<Vec<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures ORDER BY slug");
        let rows = self.pooled().query(&sql, &[])?;
        rows.iter().map(venture_from_row).collect()
    }

    fn lock_venture(&mut self, venture: VentureId) -> Result<VentureRecord, StoreError> {
        // The row lock serializes writers to one venture until the end of the transaction.
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE venture_id = $1 FOR UPDATE");
        let row = self.pooled().query_one(&sql, &[&venture.0])?;
        venture_from_row(&row)
    }

    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError> {
        let hash = hash.0.as_slice();
        self.pooled().execute("UPDATE ventures SET head_seq = $2, head_hash = $3 WHERE venture_id = $1", &[&venture.0, &seq_param(seq)?, &hash])?;
        Ok(())
    }

    fn set_number_format(&mut self, venture: VentureId, format: NumberFormat) -> Result<(), StoreError> {
        self.pooled().execute("UPDATE ventures SET number_format = $2 WHERE venture_id = $1", &[&venture.0, &format.name()])?;
        Ok(())
    }

    fn read_marks(&mut self, venture: VentureId) -> Result<Vec<ReadMark>, StoreError> {
        let rows = self.pooled().query("SELECT scope, member_no, read_on FROM read_marks WHERE venture_id = $1 ORDER BY scope, member_no", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let scope: i16 = get(row, 0)?;
                let member: i32 = get(row, 1)?;
                Ok(ReadMark {
                    scope: ReadScope::from_code(i64::from(scope)).ok_or_else(|| StoreError::Corrupt(format!("read scope {scope}")))?,
                    member: if member == 0 { None } else { Some(MemberNo(narrow(member, "member")?)) },
                    read_on: get(row, 2)?,
                })
            })
            .collect()
    }

    fn raise_read_marks(&mut self, venture: VentureId, marks: &[ReadMark]) -> Result<(), StoreError> {
        for mark in marks {
            let member = i32::try_from(mark.member.map_or(0, |m| m.0)).map_err(|_| StoreError::Corrupt("member number out of range".into()))?;
            self.pooled().execute(
                "INSERT INTO read_marks (venture_id, scope, member_no, read_on) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (venture_id, scope, member_no) DO UPDATE SET read_on = greatest(read_marks.read_on, excluded.read_on)",
                &[&venture.0, &mark.scope.code(), &member, &mark.read_on],
            )?;
        }
        Ok(())
    }

    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO members (venture_id, member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &venture.0,
                &member_param(member.member_no)?,
                &member.handle,
                &member.display_name,
                &member.role,
                &member.joined_on,
                &member.recorded_at_ms,
                &member.departed_on,
            ],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on FROM members WHERE venture_id = $1 ORDER BY member_no",
            &[&venture.0],
        )?;
        rows.iter()
            .map(|row| {
                let member: i32 = get(row, 0)?;
                Ok(MemberRecord {
                    member_no: MemberNo(narrow(member, "member")?),
                    handle: get(row, 1)?,
                    display_name: get(row, 2)?,
                    role: get(row, 3)?,
                    joined_on: get(row, 4)?,
                    recorded_at_ms: get(row, 5)?,
                    departed_on: get(row, 6)?,
                })
            })
            .collect()
    }

    fn insert_terms(&mut self, venture: VentureId, record: &TermsRecord) -> Result<(), StoreError> {
        let (basis, market, cash, hours, rate) = match record.terms {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                (TERMS_SALARY, Some(market_salary_minor), Some(cash_salary_minor), hours_per_year.map(i64::from), None)
            }
            Terms::Hourly { rate_minor } => (TERMS_HOURLY, None, None, None, Some(rate_minor)),
        };
        self.pooled().execute(
            "INSERT INTO member_terms (venture_id, member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &venture.0,
                &member_param(record.member_no)?,
                &narrow::<u32, i32>(record.version, "version")?,
                &record.effective_from,
                &basis,
                &market,
                &cash,
                &hours,
                &rate,
                &record.recorded_at_ms,
            ],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn terms(&mut self, venture: VentureId) -> Result<Vec<TermsRecord>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms
             FROM member_terms WHERE venture_id = $1 ORDER BY member_no, version",
            &[&venture.0],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let basis: &str = get(row, 3)?;
            let money =
                |index: usize| -> Result<i64, StoreError> { get::<Option<i64>>(row, index)?.ok_or_else(|| StoreError::Corrupt("terms lack an amount".into())) };
            let terms = match basis {
                TERMS_SALARY => Terms::Salary {
                    market_salary_minor: money(4)?,
                    cash_salary_minor: money(5)?,
                    hours_per_year: get::<Option<i64>>(row, 6)?.map(|h| narrow(h, "hours")).transpose()?,
                },
                TERMS_HOURLY => Terms::Hourly { rate_minor: money(7)? },
                other => return Err(StoreError::Corrupt(format!("terms basis {other}"))),
            };
            let member: i32 = get(row, 0)?;
            let version: i32 = get(row, 1)?;
            out.push(TermsRecord {
                member_no: MemberNo(narrow(member, "member")?),
                version: narrow(version, "version")?,
                effective_from: get(row, 2)?,
                terms,
                recorded_at_ms: get(row, 8)?,
            });
        }
        Ok(out)
    }

    fn insert_policy_version(&mut self, venture: VentureId, policy: &PolicyVersionRecord) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO policy_versions (venture_id, version, effective_from, settings, recorded_at_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&venture.0, &narrow::<u32, i32>(policy.version, "version")?, &policy.effective_from, &policy.settings, &policy.recorded_at_ms],
        )?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn policy_versions(&mut self, venture: VentureId) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        let rows = self
            .pooled()
            .query("SELECT version, effective_from, settings, recorded_at_ms FROM policy_versions WHERE venture_id = $1 ORDER BY version", &[&venture.0])?;
        rows.iter()
            .map(|row| {
                let version: i32 = get(row, 0)?;
                Ok(PolicyVersionRecord {
                    version: narrow(version, "version")?,
                    effective_from: get(row, 1)?,
                    settings: get(row, 2)?,
                    recorded_at_ms: get(row, 3)?,
                })
            })
            .collect()
    }

    fn insert_entries(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        if entries.len() <= INSERT_ROWS_MAX { self.insert_rows(venture, entries) } else { self.copy_rows(venture, entries) }
    }

    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 AND seq = $2");
        let row = self.pooled().query_opt(&sql, &[&venture.0, &seq_key(seq)])?;
        row.as_ref().map(entry_from_row).transpose()
    }

    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError> {
        let row = self.pooled().query_opt("SELECT seq FROM entries WHERE venture_id = $1 AND reverses_seq = $2", &[&venture.0, &seq_key(seq)])?;
        row.map(|row| {
            let seq: i64 = get(&row, 0)?;
            narrow(seq, "sequence")
        })
        .transpose()
    }

    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1");
        let mut parameters: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(venture.0)];
        if let Some(member) = filter.member {
            // The member's own entries and the shared ones; which shared entries reach the member
            // is read from their effects below.
            parameters.push(Box::new(member_param(member)?));
            sql.push_str(&format!(" AND (member_no = ${} OR shared)", parameters.len()));
        }
        if let Some(tag) = &filter.tag {
            parameters.push(Box::new(tag.clone()));
            sql.push_str(&format!(" AND tag = ${}", parameters.len()));
        }
        if let Some(from) = filter.from {
            parameters.push(Box::new(from));
            sql.push_str(&format!(" AND occurred_on >= ${}", parameters.len()));
        }
        if let Some(to) = filter.to {
            parameters.push(Box::new(to));
            sql.push_str(&format!(" AND occurred_on <= ${}", parameters.len()));
        }
        if let Some(after) = filter.after_seq {
            parameters.push(Box::new(seq_key(after)));
            sql.push_str(&format!(" AND seq > ${}", parameters.len()));
        }
        let limit = usize::try_from(filter.limit.clamp(1, PAGE_SIZE_MAX)).unwrap_or(1);
        if filter.member.is_none() {
            parameters.push(Box::new(i64::try_from(limit).unwrap_or(1)));
            sql.push_str(&format!(" ORDER BY seq LIMIT ${}", parameters.len()));
        } else {
            sql.push_str(" ORDER BY seq");
        }
        let references: Vec<&(dyn ToSql + Sync)> = parameters.iter().map(|p| &**p).collect();
        let mut entries = Vec::new();
        self.each_row(&sql, &references, &mut |row| {
            if entries.len() < limit {
                let stored = entry_from_row(row)?;
                if filter.member.is_none_or(|member| stored.entry.member == Some(member) || stored.entry.effects.iter().any(|e| e.member == member)) {
                    entries.push(stored);
                }
            }
            Ok(())
        })?;
        Ok(entries)
    }

    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = $1 ORDER BY seq");
        self.each_row(&sql, &[&venture.0], &mut |row| visit(entry_from_row(row)?))
    }

    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError> {
        let row = self.pooled().query_one("SELECT max(occurred_on) FROM entries WHERE venture_id = $1", &[&venture.0])?;
        get(&row, 0)
    }

    fn totals(&mut self, venture: VentureId) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = $1 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY member_no, kind, class",
            &[&venture.0],
        )
    }

    fn member_totals(&mut self, venture: VentureId, member: MemberNo) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = $1 AND member_no = $2 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY kind, class",
            &[&venture.0, &member_param(member)?],
        )
    }

    fn well_balances(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        let rows = self.pooled().query(
            "SELECT member_no, sum(well_minor)::BIGINT FROM member_totals WHERE venture_id = $1 AND well_minor <> 0 GROUP BY member_no ORDER BY member_no",
            &[&venture.0],
        )?;
        let mut out = Vec::new();
        for row in &rows {
            let balance: i64 = get(row, 1)?;
            if balance > 0 {
                let member: i32 = get(row, 0)?;
                out.push((MemberNo(narrow(member, "member")?), balance));
            }
        }
        Ok(out)
    }

    fn add_totals(&mut self, venture: VentureId, deltas: &[(BucketKey, Bucket)]) -> Result<(), StoreError> {
        let pooled = self.pooled();
        for (key, delta) in deltas {
            pooled.execute(
                "INSERT INTO member_totals (venture_id, member_no, kind, class, fmv_minor, slices_minor, well_minor) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (venture_id, member_no, kind, class) DO UPDATE SET
                   fmv_minor = member_totals.fmv_minor + EXCLUDED.fmv_minor,
                   slices_minor = member_totals.slices_minor + EXCLUDED.slices_minor,
                   well_minor = member_totals.well_minor + EXCLUDED.well_minor",
                &[
                    &venture.0,
                    &member_param(key.member)?,
                    &kind_code(key.kind),
                    &class_code(key.class),
                    &delta.fmv_minor,
                    &delta.slices_minor,
                    &delta.well_minor,
                ],
            )?;
        }
        Ok(())
    }

    fn totals_as_of(&mut self, venture: VentureId, date: Date) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut sums = effects::Sums::default();
        self.each_row("SELECT effects FROM entries WHERE venture_id = $1 AND occurred_on <= $2", &[&venture.0, &date], &mut |row| {
            sums.add(&effects::decode(get(row, 0)?)?)
        })?;
        Ok(sums.into_nonzero())
    }

    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        let row = self.pooled().query_opt("SELECT fingerprint, result FROM idempotency_keys WHERE venture_id = $1 AND key = $2", &[&scope.0, &key])?;
        row.map(|row| Ok(IdempotencyRecord { fingerprint: get(&row, 0)?, result: get(&row, 1)? })).transpose()
    }

    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError> {
        self.pooled().execute(
            "INSERT INTO idempotency_keys (venture_id, key, fingerprint, result, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&scope.0, &key, &record.fingerprint, &record.result, &at_ms],
        )?;
        Ok(())
    }
}
