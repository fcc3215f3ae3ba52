//! The SQLite storage of the venture's ledger: ventures, members, terms, policy versions, entries, totals, read marks and idempotency keys.

use super::*;
use peerstake_store::Ledger;

impl Ledger for SqliteTransaction<'_> {
    fn insert_venture(&mut self, venture: &NewVenture, genesis: &EntryHash) -> Result<VentureId, StoreError> {
        self.connection()
            .exec(
                "INSERT INTO ventures (slug, name, pitch, currency, created_at_ms, head_seq, head_hash, number_format, edition) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8)",
                params![
                    venture.slug,
                    venture.name,
                    venture.pitch,
                    venture.currency,
                    venture.created_at_ms,
                    genesis.0.as_slice(),
                    venture.number_format.name(),
                    venture.edition.number()
                ],
            )
            .map_err(backend)?;
        Ok(VentureId(self.connection().last_insert_rowid()))
    }

    fn venture_by_slug(&mut self, slug: &str) -> Result<Option<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE slug = ?1");
        let raw = self.connection().one(&sql, [slug], venture_from_row).optional().map_err(backend)?;
        raw.map(venture_record).transpose()
    }

    fn ventures(&mut self) -> Result<Vec<VentureRecord>, StoreError> {
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures ORDER BY slug");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let raws: Vec<VentureRow> = statement.query_map([], venture_from_row).map_err(backend)?.collect::<Result<_, _>>().map_err(backend)?;
        raws.into_iter().map(venture_record).collect()
    }

    fn lock_venture(&mut self, venture: VentureId) -> Result<VentureRecord, StoreError> {
        // The writer holds BEGIN IMMEDIATE: it is already the only writer.
        let sql = format!("SELECT {VENTURE_COLUMNS} FROM ventures WHERE venture_id = ?1");
        let raw = self.connection().one(&sql, [venture.0], venture_from_row).map_err(backend)?;
        venture_record(raw)
    }

    fn set_head(&mut self, venture: VentureId, seq: u64, hash: &EntryHash) -> Result<(), StoreError> {
        self.connection()
            .exec("UPDATE ventures SET head_seq = ?2, head_hash = ?3 WHERE venture_id = ?1", params![venture.0, seq_param(seq)?, hash.0.as_slice()])
            .map_err(backend)?;
        Ok(())
    }

    fn set_number_format(&mut self, venture: VentureId, format: NumberFormat) -> Result<(), StoreError> {
        self.connection().exec("UPDATE ventures SET number_format = ?2 WHERE venture_id = ?1", params![venture.0, format.name()]).map_err(backend)?;
        Ok(())
    }

    fn read_marks(&mut self, venture: VentureId) -> Result<Vec<ReadMark>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT scope, member_no, read_on FROM read_marks WHERE venture_id = ?1 ORDER BY scope, member_no")
            .map_err(backend)?;
        let rows: Vec<(i64, i64, i64)> =
            statement.query_map([venture.0], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).map_err(backend)?.collect::<Result<_, _>>().map_err(backend)?;
        rows.into_iter()
            .map(|(scope, member, day)| {
                Ok(ReadMark {
                    scope: ReadScope::from_code(scope).ok_or_else(|| StoreError::Corrupt(format!("read scope {scope}")))?,
                    member: if member == 0 { None } else { Some(MemberNo(to_u32(member, "member")?)) },
                    read_on: day_to_date(day)?,
                })
            })
            .collect()
    }

    fn raise_read_marks(&mut self, venture: VentureId, marks: &[ReadMark]) -> Result<(), StoreError> {
        for mark in marks {
            self.connection()
                .exec(
                    "INSERT INTO read_marks (venture_id, scope, member_no, read_on) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (venture_id, scope, member_no) DO UPDATE SET read_on = max(read_on, excluded.read_on)",
                    params![venture.0, mark.scope.code(), mark.member.map_or(0, |m| m.0), date_to_day(mark.read_on)],
                )
                .map_err(backend)?;
        }
        Ok(())
    }

    fn insert_member(&mut self, venture: VentureId, member: &MemberRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO members (venture_id, member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    venture.0,
                    member.member_no.0,
                    member.handle,
                    member.display_name,
                    member.role,
                    date_to_day(member.joined_on),
                    member.recorded_at_ms,
                    member.departed_on.map(date_to_day)
                ],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn members(&mut self, venture: VentureId) -> Result<Vec<MemberRecord>, StoreError> {
        self.rows(
            "SELECT member_no, handle, display_name, role, joined_on, recorded_at_ms, departed_on FROM members WHERE venture_id = ?1 ORDER BY member_no",
            [venture.0],
            |row| {
                Ok(MemberRecord {
                    member_no: MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?),
                    handle: row.get(1).map_err(backend)?,
                    display_name: row.get(2).map_err(backend)?,
                    role: row.get(3).map_err(backend)?,
                    joined_on: day_to_date(row.get(4).map_err(backend)?)?,
                    recorded_at_ms: row.get(5).map_err(backend)?,
                    departed_on: date(row.get(6).map_err(backend)?)?,
                })
            },
        )
    }

    fn insert_terms(&mut self, venture: VentureId, record: &TermsRecord) -> Result<(), StoreError> {
        let (basis, market, cash, hours, rate) = match record.terms {
            Terms::Salary { market_salary_minor, cash_salary_minor, hours_per_year } => {
                (TERMS_SALARY, Some(market_salary_minor), Some(cash_salary_minor), hours_per_year.map(i64::from), None)
            }
            Terms::Hourly { rate_minor } => (TERMS_HOURLY, None, None, None, Some(rate_minor)),
        };
        self.connection()
            .exec(
                "INSERT INTO member_terms (venture_id, member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    venture.0,
                    record.member_no.0,
                    record.version,
                    date_to_day(record.effective_from),
                    basis,
                    market,
                    cash,
                    hours,
                    rate,
                    record.recorded_at_ms
                ],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn terms(&mut self, venture: VentureId) -> Result<Vec<TermsRecord>, StoreError> {
        self.rows(
            "SELECT member_no, version, effective_from, basis, market_salary_minor, cash_salary_minor, hours_per_year, rate_minor, recorded_at_ms
             FROM member_terms WHERE venture_id = ?1 ORDER BY member_no, version",
            [venture.0],
            |row| {
                let basis: String = row.get(3).map_err(backend)?;
                let money = |index: usize| -> Result<i64, StoreError> {
                    row.get::<_, Option<i64>>(index).map_err(backend)?.ok_or_else(|| StoreError::Corrupt("terms lack an amount".into()))
                };
                let terms = match basis.as_str() {
                    TERMS_SALARY => Terms::Salary {
                        market_salary_minor: money(4)?,
                        cash_salary_minor: money(5)?,
                        hours_per_year: row.get::<_, Option<i64>>(6).map_err(backend)?.map(|h| to_u32(h, "hours")).transpose()?,
                    },
                    TERMS_HOURLY => Terms::Hourly { rate_minor: money(7)? },
                    other => return Err(StoreError::Corrupt(format!("terms basis {other}"))),
                };
                Ok(TermsRecord {
                    member_no: MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?),
                    version: to_u32(row.get(1).map_err(backend)?, "version")?,
                    effective_from: day_to_date(row.get(2).map_err(backend)?)?,
                    terms,
                    recorded_at_ms: row.get(8).map_err(backend)?,
                })
            },
        )
    }

    fn insert_policy_version(&mut self, venture: VentureId, policy: &PolicyVersionRecord) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO policy_versions (venture_id, version, effective_from, settings, recorded_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![venture.0, policy.version, date_to_day(policy.effective_from), policy.settings, policy.recorded_at_ms],
            )
            .map_err(backend)?;
        self.bump_book_version(venture)?;
        Ok(())
    }

    fn policy_versions(&mut self, venture: VentureId) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        self.rows("SELECT version, effective_from, settings, recorded_at_ms FROM policy_versions WHERE venture_id = ?1 ORDER BY version", [venture.0], |row| {
            Ok(PolicyVersionRecord {
                version: to_u32(row.get(0).map_err(backend)?, "version")?,
                effective_from: day_to_date(row.get(1).map_err(backend)?)?,
                settings: row.get(2).map_err(backend)?,
                recorded_at_ms: row.get(3).map_err(backend)?,
            })
        })
    }

    fn insert_entries(&mut self, venture: VentureId, entries: &[StoredEntry]) -> Result<(), StoreError> {
        let connection = self.connection();
        let mut insert_entry = connection
            .prepare_cached(
                "INSERT INTO entries (venture_id, seq, occurred_on, recorded_at_ms, author_no, member_no, tag, inputs, note, policy_version, terms_version,
                                      fmv_minor, slices_minor, reverses_seq, hash, shared, effects, about_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )
            .map_err(backend)?;
        let mut effect_bytes = Vec::new();
        for stored in entries {
            let entry = &stored.entry;
            effect_bytes.clear();
            effects::encode_into(&entry.effects, &mut effect_bytes);
            insert_entry
                .execute(params![
                    venture.0,
                    seq_param(entry.seq)?,
                    date_to_day(entry.occurred_on),
                    entry.recorded_at_ms,
                    entry.author.map(|m| m.0),
                    entry.member.map(|m| m.0),
                    entry.tag,
                    entry.inputs,
                    entry.note,
                    entry.policy_version,
                    entry.terms_version,
                    entry.fmv_minor,
                    entry.slices_minor,
                    entry.reverses.map(seq_param).transpose()?,
                    stored.hash.0.as_slice(),
                    effects::shared(entry.member, &entry.effects),
                    effect_bytes.as_slice(),
                    entry.about.map(seq_param).transpose()?,
                ])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn entry(&mut self, venture: VentureId, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 AND seq = ?2");
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params![venture.0, seq_key(seq)]).map_err(backend)?;
        rows.next().map_err(backend)?.map(entry_from_row).transpose()
    }

    fn reversal_of(&mut self, venture: VentureId, seq: u64) -> Result<Option<u64>, StoreError> {
        let found: Option<i64> = self
            .connection()
            .one("SELECT seq FROM entries WHERE venture_id = ?1 AND reverses_seq = ?2", params![venture.0, seq_key(seq)], |row| row.get(0))
            .optional()
            .map_err(backend)?;
        found.map(|s| to_u64(s, "sequence")).transpose()
    }

    fn entries(&mut self, venture: VentureId, filter: &EntryFilter) -> Result<Vec<StoredEntry>, StoreError> {
        let mut sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1");
        let mut parameters: Vec<Value> = vec![Value::Integer(venture.0)];
        if let Some(member) = filter.member {
            // The member's own entries and the shared ones; which shared entries reach the member
            // is read from their effects below.
            parameters.push(Value::Integer(i64::from(member.0)));
            sql.push_str(&format!(" AND (member_no = ?{} OR shared = 1)", parameters.len()));
        }
        if let Some(tag) = &filter.tag {
            parameters.push(Value::Text(tag.clone()));
            sql.push_str(&format!(" AND tag = ?{}", parameters.len()));
        }
        if let Some(from) = filter.from {
            parameters.push(Value::Integer(date_to_day(from)));
            sql.push_str(&format!(" AND occurred_on >= ?{}", parameters.len()));
        }
        if let Some(to) = filter.to {
            parameters.push(Value::Integer(date_to_day(to)));
            sql.push_str(&format!(" AND occurred_on <= ?{}", parameters.len()));
        }
        if let Some(after) = filter.after_seq {
            parameters.push(Value::Integer(seq_key(after)));
            sql.push_str(&format!(" AND seq > ?{}", parameters.len()));
        }
        let limit = usize::try_from(filter.limit.clamp(1, PAGE_SIZE_MAX)).unwrap_or(1);
        if filter.member.is_none() {
            parameters.push(Value::Integer(i64::try_from(limit).unwrap_or(1)));
            sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", parameters.len()));
        } else {
            sql.push_str(" ORDER BY seq");
        }
        let mut statement = self.connection().prepare_cached(&sql).map_err(backend)?;
        let mut rows = statement.query(params_from_iter(parameters.iter())).map_err(backend)?;
        let mut entries = Vec::new();
        while entries.len() < limit
            && let Some(row) = rows.next().map_err(backend)?
        {
            let stored = entry_from_row(row)?;
            if filter.member.is_none_or(|member| stored.entry.member == Some(member) || stored.entry.effects.iter().any(|e| e.member == member)) {
                entries.push(stored);
            }
        }
        Ok(entries)
    }

    fn scan_entries(&mut self, venture: VentureId, visit: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE venture_id = ?1 ORDER BY seq");
        let mut statement = self.connection().prepare(&sql).map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            visit(entry_from_row(row)?)?;
        }
        Ok(())
    }

    fn latest_entry_date(&mut self, venture: VentureId) -> Result<Option<Date>, StoreError> {
        let day: Option<i64> =
            self.connection().one("SELECT max(occurred_on) FROM entries WHERE venture_id = ?1", [venture.0], |row| row.get(0)).map_err(backend)?;
        day.map(day_to_date).transpose()
    }

    fn totals(&mut self, venture: VentureId) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = ?1 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY member_no, kind, class",
            &[Value::Integer(venture.0)],
        )
    }

    fn member_totals(&mut self, venture: VentureId, member: MemberNo) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        self.buckets(
            "SELECT member_no, kind, class, fmv_minor, slices_minor, well_minor FROM member_totals
             WHERE venture_id = ?1 AND member_no = ?2 AND (fmv_minor <> 0 OR slices_minor <> 0 OR well_minor <> 0) ORDER BY kind, class",
            &[Value::Integer(venture.0), Value::Integer(i64::from(member.0))],
        )
    }

    fn well_balances(&mut self, venture: VentureId) -> Result<Vec<(MemberNo, i64)>, StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "SELECT member_no, sum(well_minor) FROM member_totals WHERE venture_id = ?1 AND well_minor <> 0 GROUP BY member_no ORDER BY member_no",
            )
            .map_err(backend)?;
        let mut rows = statement.query([venture.0]).map_err(backend)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(backend)? {
            let balance: i64 = row.get(1).map_err(backend)?;
            if balance > 0 {
                out.push((MemberNo(to_u32(row.get(0).map_err(backend)?, "member")?), balance));
            }
        }
        Ok(out)
    }

    fn add_totals(&mut self, venture: VentureId, deltas: &[(BucketKey, Bucket)]) -> Result<(), StoreError> {
        let mut statement = self
            .connection()
            .prepare_cached(
                "INSERT INTO member_totals (venture_id, member_no, kind, class, fmv_minor, slices_minor, well_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (venture_id, member_no, kind, class) DO UPDATE SET
                   fmv_minor = fmv_minor + excluded.fmv_minor,
                   slices_minor = slices_minor + excluded.slices_minor,
                   well_minor = well_minor + excluded.well_minor",
            )
            .map_err(backend)?;
        for (key, delta) in deltas {
            statement
                .execute(params![venture.0, key.member.0, kind_code(key.kind), class_code(key.class), delta.fmv_minor, delta.slices_minor, delta.well_minor])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn totals_as_of(&mut self, venture: VentureId, date: Date) -> Result<Vec<(BucketKey, Bucket)>, StoreError> {
        let mut statement = self.connection().prepare_cached("SELECT effects FROM entries WHERE venture_id = ?1 AND occurred_on <= ?2").map_err(backend)?;
        let mut rows = statement.query(params![venture.0, date_to_day(date)]).map_err(backend)?;
        let mut sums = effects::Sums::default();
        while let Some(row) = rows.next().map_err(backend)? {
            sums.add(&effects::decode(row.get_ref(0).and_then(|v| v.as_blob().map_err(Into::into)).map_err(backend)?)?)?;
        }
        Ok(sums.into_nonzero())
    }

    fn idempotency(&mut self, scope: VentureId, key: &str) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.connection()
            .one("SELECT fingerprint, result FROM idempotency_keys WHERE venture_id = ?1 AND key = ?2", params![scope.0, key], |row| {
                Ok(IdempotencyRecord { fingerprint: row.get(0)?, result: row.get(1)? })
            })
            .optional()
            .map_err(backend)
    }

    fn put_idempotency(&mut self, scope: VentureId, key: &str, record: &IdempotencyRecord, at_ms: i64) -> Result<(), StoreError> {
        self.connection()
            .exec(
                "INSERT INTO idempotency_keys (venture_id, key, fingerprint, result, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![scope.0, key, record.fingerprint, record.result, at_ms],
            )
            .map_err(backend)?;
        Ok(())
    }
}
