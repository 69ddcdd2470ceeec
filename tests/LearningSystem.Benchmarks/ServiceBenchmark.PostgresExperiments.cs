using System.Globalization;
using System.Text;
using LearningSystem.LocalPostgres;
using Npgsql;

namespace LearningSystem.Benchmarks;

/// <summary>
/// Issue 38's experiments in PostgreSQL alone, with pgbench on a durable throwaway cluster: what the previous link's
/// lookup would save if it were index-only, and what sealing's key-liveness assertion costs as an advisory lock
/// against a foreign key from a per-append "sealed under" row. Each variant is the same append (a stream's version
/// bumped, an event row inserted) with one thing changed, so the differences are that thing's.
/// </summary>
public static partial class ServiceBenchmark
{
    private const int ExperimentStreams = 2_000;
    private const int ExperimentKeys = 500;
    private const int ExperimentRounds = 3;

    private sealed record Variant(string Name, string Script);

    private sealed record Measured(string Name, int Concurrency, double Tps, double AverageMs, double CpuMs, double HeapBlocks);

    public static async Task PostgresExperimentsAsync(string root)
    {
        await using var postgres = await StartPostgresAsync();
        await SetUpExperimentsAsync(postgres.ConnectionString);
        const string Reason = """'{"reason":"Not knowing is worse"}'""";
        var linkVariants = new[]
        {
            new Variant("the link in the headers, found by (stream, version) and read from the row (as today)", Append("xa", Reason)),
            new Variant("the link in a column of its own, in the unique index (INCLUDE): an index-only lookup", Append("xb", Reason)),
            new Variant("no link (the same append without the chain's trigger)", Append("xn", Reason)),
        };
        // Each assertion rides in the event's own insert, as the service's rides in the append's batch: a statement of
        // its own would add a round trip that the service does not make, and measure that instead.
        var sealingVariants = new[]
        {
            new Variant("no sealing (the same append)", Sealed(Reason, "")),
            new Variant("the key asserted live under its advisory lock, shared (as today)", Sealed(Reason, "xc_assert_live('st-marys', md5('k' || :k)::uuid)")),
            new Variant("a \"sealed under\" row whose foreign key locks the key's row FOR KEY SHARE", Sealed(Reason, "", underRow: true)),
        };

        // Interleaved rounds, each variant once a round: a 12-second run on two shared cores moves by 10% or more from
        // one run to the next, so each figure is the median of its rounds and the table gives their range.
        var measured = new List<Measured>();
        for (var round = 0; round < ExperimentRounds; round++)
        {
            foreach (var concurrency in new[] { 8, 32 })
            {
                foreach (var variant in linkVariants.Concat(sealingVariants))
                {
                    measured.Add(await PgbenchVariantAsync(postgres, variant, concurrency));
                }
            }
        }

        var report = ExperimentsReport(measured, linkVariants, sealingVariants);
        await File.WriteAllTextAsync(Path.Combine(root, "docs", "benchmarks", "postgres-experiments.md"), report);
        Console.WriteLine(report);
    }

    private static string Append(string prefix, string reason) => $"""
        \set s random(1, {ExperimentStreams})
        BEGIN;
        UPDATE {prefix}_streams SET version = version + 1 WHERE id = :s;
        INSERT INTO {prefix}_events (stream_id, version, data) SELECT :s, version, {reason} FROM {prefix}_streams WHERE id = :s;
        END;
        """;

    /// <summary>The append of the sealing experiments, in one insert statement whatever is asserted.</summary>
    private static string Sealed(string reason, string assertion, bool underRow = false)
    {
        var key = "md5('k' || :k)::uuid";
        var insert = $"INSERT INTO xc_events (stream_id, version, data, key) SELECT :s, version, {reason}, {key} FROM xc_streams"
            + (assertion.Length > 0 ? $", (SELECT {assertion}) asserted" : "") + " WHERE id = :s";
        var statement = underRow
            ? $"WITH e AS ({insert} RETURNING seq_id, key) INSERT INTO xc_sealed_under (seq_id, tenant_id, key) SELECT seq_id, 'st-marys', key FROM e;"
            : $"{insert};";
        return $"""
            \set s random(1, {ExperimentStreams})
            \set k random(1, {ExperimentKeys})
            BEGIN;
            UPDATE xc_streams SET version = version + 1 WHERE id = :s;
            {statement}
            END;
            """;
    }

    private static async Task SetUpExperimentsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The link is made as the service's chain makes it: sha256 of the previous link and the event's canonical text.
        var sql = new StringBuilder();
        foreach (var prefix in new[] { "xa", "xb", "xn", "xc" })
        {
            sql.AppendLine(CultureInfo.InvariantCulture, $"""
                create table {prefix}_streams (id int primary key, version bigint not null);
                insert into {prefix}_streams select g, 0 from generate_series(1, {ExperimentStreams}) g;
                create table {prefix}_events (seq_id bigserial primary key, stream_id int not null, version bigint not null, data jsonb not null,
                  headers jsonb, link bytea, key uuid, timestamp timestamptz not null default now(), unique (stream_id, version){(prefix == "xb" ? " include (link)" : "")});
                """);
        }

        sql.AppendLine("""
            create function xa_link() returns trigger language plpgsql as $$
            declare previous bytea := ''::bytea;
            begin
              if new.version > 1 then
                select coalesce(decode(p.headers ->> 'link', 'hex'), ''::bytea) into previous from xa_events p where p.stream_id = new.stream_id and p.version = new.version - 1;
              end if;
              new.headers := coalesce(new.headers, '{}'::jsonb) || jsonb_build_object('link', encode(sha256(coalesce(previous, ''::bytea)
                || convert_to(concat_ws(E'\n', new.data::text, new.stream_id::text, new.version::text, new.seq_id::text, new.timestamp::text), 'UTF8')), 'hex'));
              return new;
            end $$;
            create trigger xa_link before insert on xa_events for each row execute function xa_link();

            create function xb_link() returns trigger language plpgsql as $$
            declare previous bytea := ''::bytea;
            begin
              if new.version > 1 then
                select p.link into previous from xb_events p where p.stream_id = new.stream_id and p.version = new.version - 1;
              end if;
              new.link := sha256(coalesce(previous, ''::bytea)
                || convert_to(concat_ws(E'\n', new.data::text, new.stream_id::text, new.version::text, new.seq_id::text, new.timestamp::text), 'UTF8'));
              return new;
            end $$;
            create trigger xb_link before insert on xb_events for each row execute function xb_link();
            """);
        sql.AppendLine(CultureInfo.InvariantCulture, $$"""
            create table xc_keys (tenant_id text not null, id uuid not null, wrapped bytea, primary key (tenant_id, id));
            insert into xc_keys select 'st-marys', md5('k' || g)::uuid, gen_random_uuid()::text::bytea from generate_series(1, {{ExperimentKeys}}) g;
            create function xc_assert_live(organisation text, key uuid) returns void language plpgsql as $$
            begin
              perform pg_advisory_xact_lock_shared(hashtextextended(key::text, 0));
              perform 1 from xc_keys where tenant_id = organisation and id = key and wrapped is not null;
              if not found then
                raise exception 'the subject key % was erased meanwhile', key;
              end if;
            end $$;
            -- An erasure deletes the key's row: the delete waits for every transaction holding the row FOR KEY SHARE,
            -- and takes the sealed-under rows with it (their index serves the cascade).
            create table xc_sealed_under (seq_id bigint primary key, tenant_id text not null, key uuid not null,
              foreign key (tenant_id, key) references xc_keys on delete cascade);
            create index xc_sealed_under_key on xc_sealed_under (tenant_id, key);
            """);
        await using (var setup = new NpgsqlCommand(sql.ToString(), connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        // Five events a stream before the runs, so that every lookup finds a previous link; vacuumed, so that the
        // pages written before the run are all-visible, as an index-only scan needs.
        foreach (var prefix in new[] { "xa", "xb", "xn", "xc" })
        {
            await using var seed = new NpgsqlCommand($"""
                do $$ begin for i in 1..5 loop
                  update {prefix}_streams set version = version + 1;
                  insert into {prefix}_events (stream_id, version, data) select id, version, '{"{"}"seed":true{"}"}' from {prefix}_streams order by id;
                end loop; end $$;
                """, connection);
            await seed.ExecuteNonQueryAsync();
        }

        await using var vacuum = new NpgsqlCommand("vacuum analyze", connection);
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<Measured> PgbenchVariantAsync(LocalPostgresServer postgres, Variant variant, int concurrency)
    {
        var script = Path.Combine(Path.GetTempPath(), $"learningsystem-experiment-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, variant.Script);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
            var blocksBefore = await HeapBlocksAsync(postgres.ConnectionString);
            var before = MachineTicks();
            var (exitCode, output) = await RunToolAsync(Path.Combine(PostgresBinaries.Find(), "pgbench"),
                ["-n", "-c", $"{concurrency}", "-j", $"{Math.Min(concurrency, Environment.ProcessorCount)}", "-T", $"{(int)Measure.TotalSeconds}",
                 "-f", script, "-h", "127.0.0.1", "-p", $"{builder.Port}", "-U", builder.Username!, builder.Database!]);
            var after = MachineTicks();
            if (exitCode != 0 || !Tps().IsMatch(output))
            {
                throw new InvalidOperationException($"pgbench failed for {variant.Name}:\n{output}");
            }

            var tps = double.Parse(Tps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var transactions = tps * Measure.TotalSeconds;
            var average = double.Parse(AverageLatency().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            // Statistics reach the views after the backends report them at transaction end; a moment lets the last arrive.
            await Task.Delay(1_000);
            var blocks = (await HeapBlocksAsync(postgres.ConnectionString) - blocksBefore) / transactions;
            var measured = new Measured(variant.Name, concurrency, tps, average, BusyMs(before, after) / transactions, blocks);
            Console.WriteLine($"c={concurrency} {variant.Name}: {tps:N0} tps, {average:N2} ms, {measured.CpuMs:N3} ms CPU, {blocks:N1} heap blocks a transaction");
            return measured;
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Heap blocks read or found in shared buffers, over every table of the experiments: what the lookups visit.</summary>
    private static async Task<double> HeapBlocksAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select coalesce(sum(heap_blks_read + heap_blks_hit), 0)::float8 from pg_statio_user_tables where relname like 'x%'", connection);
        return (double)(await command.ExecuteScalarAsync())!;
    }

    private static string ExperimentsReport(List<Measured> measured, Variant[] linkVariants, Variant[] sealingVariants)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmark: issue 38's experiments in PostgreSQL");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Run on {DateTime.UtcNow:yyyy-MM-dd} with {Environment.ProcessorCount} cores, on a throwaway PostgreSQL the benchmark starts with durable settings (fsync and synchronous_commit on).");
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine("dotnet run -c Release --project tests/LearningSystem.Benchmarks -- postgres-experiments");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Each variant is pgbench for {Measure.TotalSeconds:N0} s of the same append: one of {ExperimentStreams:N0} streams' version bumped and an event row inserted, in one transaction, the streams holding five events each before the runs (vacuumed, so those pages are all-visible). Only the named thing differs. CPU is the whole machine's (PostgreSQL and pgbench), per transaction, from /proc; heap blocks are those the experiment's tables' heaps were read or hit for, per transaction.");
        text.AppendLine();
        void Table(string title, Variant[] variants)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Medians of {ExperimentRounds} interleaved rounds; CPU's range over the rounds in brackets.");
            text.AppendLine();
            text.AppendLine("| variant | concurrency | tps | average ms | CPU ms per transaction | against the first | heap blocks per transaction |");
            text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            Measured Median(Variant variant, int concurrency)
            {
                var runs = measured.Where(m => m.Name == variant.Name && m.Concurrency == concurrency).ToArray();
                double Middle(Func<Measured, double> of) => runs.Select(of).Order().ElementAt(runs.Length / 2);
                return new Measured(variant.Name, concurrency, Middle(m => m.Tps), Middle(m => m.AverageMs), Middle(m => m.CpuMs), Middle(m => m.HeapBlocks));
            }

            foreach (var concurrency in measured.Select(m => m.Concurrency).Distinct())
            {
                var first = Median(variants[0], concurrency);
                foreach (var variant in variants)
                {
                    var m = Median(variant, concurrency);
                    var cpu = measured.Where(x => x.Name == variant.Name && x.Concurrency == concurrency).Select(x => x.CpuMs).ToArray();
                    text.AppendLine(CultureInfo.InvariantCulture,
                        $"| {m.Name} | {concurrency} | {m.Tps:N0} | {m.AverageMs:N2} | {m.CpuMs:N3} ({cpu.Min():N3}–{cpu.Max():N3}) | {(m.CpuMs / first.CpuMs) - 1:+0.0%;-0.0%;0.0%} | {m.HeapBlocks:N1} |");
                }
            }

            text.AppendLine();
        }

        Table("The previous link: read from the row, or index-only", linkVariants);
        Table("Sealing's key-liveness assertion: advisory lock or foreign key", sealingVariants);
        text.AppendLine("What these figures mean for the service, and what was kept, is in `docs/design.md` (Performance).");
        return text.ToString();
    }
}
