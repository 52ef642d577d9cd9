"""Customers, conversations and messages at scale, generated inside PostgreSQL.

Rows are made with INSERT ... SELECT over generate_series, so 5,000,000 messages take
about as long as PostgreSQL needs to write them, with no Python loop per row. Every table
gets the same columns the application writes, and VACUUM (ANALYZE) runs at the end so the
planner sees the real sizes and a set visibility map. Idempotent: a size that is already
there is not generated again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

BENCH_AGENT_DOMAIN = "agents.bench.example.com"
CUSTOMER_EMAIL_DOMAIN = "customers.bench.example.net"


@dataclass(frozen=True)
class Sizes:
    customers: int = 50_000
    conversations: int = 500_000
    messages: int = 5_000_000
    agents: int = 200
    companies: int = 1_000


def _scalar(cursor: Any, sql: str, params: list[Any] | None = None) -> Any:
    cursor.execute(sql, params or [])
    row = cursor.fetchone()
    return row[0] if row else None


def generate(sizes: Sizes, *, bench_user_id: int, password_hash: str, log: Any = print) -> str:
    """Add whatever part of the data set is missing. Returns a one-line summary."""
    from django.db import connection, transaction

    report = []
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.monotonic()
        have_agents = _scalar(
            cursor, "SELECT count(*) FROM accounts_user WHERE email LIKE %s", [f"%@{BENCH_AGENT_DOMAIN}"]
        )
        if have_agents < sizes.agents:
            cursor.execute(
                """
                INSERT INTO accounts_user (email, display_name, email_signature, mobile, timezone, language,
                    user_type, is_active, is_owner, date_joined, password, notify_mentions_email,
                    notify_assignments_email, notify_desktop)
                SELECT 'agent' || g || '@' || %s, 'Agent ' || g, '', '', 'UTC', 'en', 'full_time',
                    true, false,
                    now(), %s, false, false, false
                FROM generate_series(%s + 1, %s) g
                """,
                [BENCH_AGENT_DOMAIN, password_hash, have_agents, sizes.agents],
            )
            cursor.execute(
                """
                INSERT INTO accounts_user_permission_sets (user_id, permissionset_id)
                SELECT u.id, ps.id FROM accounts_user u, accounts_permissionset ps
                WHERE u.email LIKE %s AND ps.is_default AND ps.name = 'User'
                ON CONFLICT DO NOTHING
                """,
                [f"%@{BENCH_AGENT_DOMAIN}"],
            )
            report.append(f"{sizes.agents - have_agents} agents")

        have_companies = _scalar(
            cursor, "SELECT count(*) FROM customers_company WHERE name LIKE 'Bench Company %%'"
        )
        if have_companies < sizes.companies:
            cursor.execute(
                """
                INSERT INTO customers_company (name, domains, created_at, updated_at)
                SELECT 'Bench Company ' || g, ARRAY['company' || g || '.example.net'], now(), now()
                FROM generate_series(%s + 1, %s) g
                """,
                [have_companies, sizes.companies],
            )
        company_min, company_max = _range(cursor, "customers_company", "name LIKE 'Bench Company %%'")

        have_customers = _scalar(
            cursor, "SELECT count(*) FROM customers_customer WHERE name LIKE 'Bench Customer %%'"
        )
        if have_customers < sizes.customers:
            cursor.execute(
                """
                INSERT INTO customers_customer (name, first_name, last_name, company_id, locale, custom,
                    created_at, updated_at, last_activity_at)
                SELECT 'Bench Customer ' || g, 'Bench', 'Customer ' || g, %s + (g %% %s),
                    (ARRAY['en-us', 'en-gb', 'fr', 'de', 'es', 'pt-br', 'ja'])[1 + g %% 7],
                    jsonb_build_object('tier', (ARRAY['Gold', 'Silver', 'Bronze'])[1 + g %% 3]),
                    now() - make_interval(days => g %% 720), now(), now() - make_interval(mins => g %% 100000)
                FROM generate_series(%s + 1, %s) g
                """,
                [company_min, company_max - company_min + 1, have_customers, sizes.customers],
            )
            cursor.execute(
                """
                INSERT INTO customers_customeremail (customer_id, email, type, is_primary)
                SELECT c.id, 'customer' || c.id || '@' || %s, 'home', true
                FROM customers_customer c
                WHERE c.name LIKE 'Bench Customer %%'
                  AND NOT EXISTS (SELECT 1 FROM customers_customeremail e WHERE e.customer_id = c.id)
                """,
                [CUSTOMER_EMAIL_DOMAIN],
            )
            report.append(f"{sizes.customers - have_customers} customers")
        customer_min, customer_max = _range(cursor, "customers_customer", "name LIKE 'Bench Customer %%'")
        customer_count = customer_max - customer_min + 1

        have_conversations = _scalar(
            cursor, "SELECT count(*) FROM conversations_conversation WHERE name LIKE 'Bench conversation %%'"
        )
        per_conversation = max(1, sizes.messages // max(1, sizes.conversations))
        if have_conversations < sizes.conversations:
            # Status mix of a working help desk: 15 % open, 5 % snoozed, 80 % done.
            cursor.execute(
                """
                INSERT INTO conversations_conversation (customer_id, name, status, snooze_until,
                    snooze_until_customer_replies, priority, channels, custom, is_spam, is_note, preview,
                    first_message_in_at, first_message_out_at, last_message_in_at, last_message_out_at,
                    message_count, note_count, pinned_at, created_at, updated_at, last_activity_at)
                SELECT %s + (g %% %s), 'Bench conversation ' || g,
                    CASE WHEN g %% 20 < 3 THEN 'open' WHEN g %% 20 = 3 THEN 'snoozed' ELSE 'done' END,
                    CASE WHEN g %% 20 = 3 THEN now() + interval '3 days' END,
                    false, 1 + (g * 7) %% 5, ARRAY['email'], '{}'::jsonb, false, false,
                    'Hello, I have a question about order ' || g || ' and its delivery date.',
                    t.created, t.created + interval '1 hour', t.activity, t.activity,
                    %s, 0, NULL, t.created, t.activity, t.activity
                FROM generate_series(%s + 1, %s) g,
                    LATERAL (SELECT now() - make_interval(mins => (g * 37) %% 525600) AS created) c0,
                    LATERAL (SELECT c0.created AS created,
                                    c0.created + make_interval(mins => (g %% 600)) AS activity) t
                """,
                [customer_min, customer_count, per_conversation, have_conversations, sizes.conversations],
            )
            report.append(f"{sizes.conversations - have_conversations} conversations")
        conv_min, conv_max = _range(cursor, "conversations_conversation", "name LIKE 'Bench conversation %%'")

        has_assignments = _scalar(
            cursor,
            "SELECT EXISTS (SELECT 1 FROM conversations_conversation_assigned_users "
            "WHERE conversation_id = %s)",
            [conv_max],
        )
        if not has_assignments:
            # Each conversation goes to one of the agents; every 100th also to the bench user
            # (about 750 of their conversations are open: a busy agent's "Mine").
            cursor.execute(
                """
                WITH agents AS (
                    SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE email LIKE %s
                )
                INSERT INTO conversations_conversation_assigned_users (conversation_id, user_id)
                SELECT c.id, CASE WHEN c.id %% 100 = 0 THEN %s
                                  ELSE agents.ids[1 + c.id %% array_length(agents.ids, 1)] END
                FROM conversations_conversation c, agents
                WHERE c.id BETWEEN %s AND %s
                ON CONFLICT DO NOTHING
                """,
                [f"%@{BENCH_AGENT_DOMAIN}", bench_user_id, conv_min, conv_max],
            )
            report.append("assignments")

        have_messages = _scalar(
            cursor,
            "SELECT EXISTS (SELECT 1 FROM conversations_message WHERE conversation_id = %s)",
            [conv_max],
        )
        if not have_messages:
            cursor.execute(
                """
                INSERT INTO conversations_message (conversation_id, customer_id, direction, channel, subject,
                    body_text, body_html, from_address, "to", cc, delivery_status, failure_reason,
                    external_id, channel_options,
                    created_at, sent_at)
                SELECT c.id, c.customer_id,
                    CASE WHEN g %% 2 = 1 THEN 'in' ELSE 'out' END, 'email',
                    'Re: order ' || c.id,
                    CASE WHEN g %% 2 = 1
                        THEN 'Hi, my order ' || c.id || ' has not arrived yet. The tracking page has not '
                             || 'changed for three days. Could you check what is happening? Thanks.'
                        ELSE 'Thanks for your patience. I checked order ' || c.id || ' with the carrier: '
                             || 'it left the warehouse and should reach you within two working days.'
                    END,
                    '', CASE WHEN g %% 2 = 1 THEN 'customer' || c.customer_id || '@' || %s ELSE '' END,
                    '{}', '{}', CASE WHEN g %% 2 = 1 THEN 'received' ELSE 'sent' END, '', '', '{}',
                    c.created_at + make_interval(mins => g * 7),
                    CASE WHEN g %% 2 = 0 THEN c.created_at + make_interval(mins => g * 7) END
                FROM conversations_conversation c, generate_series(1, %s) g
                WHERE c.id BETWEEN %s AND %s
                  -- a data set grown in steps: conversations that have their messages keep them
                  AND NOT EXISTS (SELECT 1 FROM conversations_message m WHERE m.conversation_id = c.id)
                """,
                [CUSTOMER_EMAIL_DOMAIN, per_conversation, conv_min, conv_max],
            )
            report.append(f"{(conv_max - conv_min + 1) * per_conversation} messages")
        log(f"    data generated in {time.monotonic() - started:.0f} s: {', '.join(report) or 'nothing new'}")
    if report:
        # VACUUM as well as ANALYZE: what autovacuum does soon after a bulk load (on a server
        # where it runs). Without it the visibility map is empty, index-only scans look
        # expensive, and the planner picks a parallel plan for the "Mine" inbox that spends
        # ~10 ms starting workers (15 ms instead of 2).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return ", ".join(report) or "already present"


def _range(cursor: Any, table: str, where: str) -> tuple[int, int]:
    cursor.execute(f"SELECT min(id), max(id) FROM {table} WHERE {where}")  # noqa: S608 (constants only)
    low, high = cursor.fetchone()
    if low is None:
        raise RuntimeError(f"no bench rows in {table}")
    return int(low), int(high)


def sample_ids() -> dict[str, int]:
    """A customer and a conversation of the data set, for the pages the bench measures: an open
    conversation from the middle of the set (a typical one, with the typical message count)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, customer_id FROM conversations_conversation WHERE name LIKE %s AND status = 'open' "
            "AND id >= (SELECT (min(id) + max(id)) / 2 FROM conversations_conversation "
            "WHERE name LIKE %s) ORDER BY id LIMIT 1",
            ["Bench conversation %", "Bench conversation %"],
        )
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError("no bench conversation found")
    return {"conversation_id": int(row[0]), "customer_id": int(row[1])}
