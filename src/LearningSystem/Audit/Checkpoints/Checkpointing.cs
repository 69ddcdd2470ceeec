using LearningSystem.Organisations;
using System.Security.Cryptography;
using System.Text;
using Marten;
using LearningSystem.Notifications;
using Npgsql;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace LearningSystem.Audit.Checkpoints;

/// <summary>
/// The key checkpoints are signed with, from <c>Audit:SigningKey</c> (an EC private key in PEM); none means
/// unsigned checkpoints. Verification trusts its public key and any in <c>Audit:TrustedPublicKeys</c> (keys
/// used before a rotation), never the key a checkpoint carries, which whoever rewrote it could have replaced.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly ECDsa? _key;

    public CheckpointSigner(IConfiguration configuration)
    {
        if (configuration["Audit:SigningKey"] is { Length: > 0 } pem)
        {
            _key = ECDsa.Create();
            try
            {
                _key.ImportFromPem(pem);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                _key.Dispose();
                throw new LearningSystem.Operations.SettingInvalid("Audit:SigningKey is not an EC private key in PEM (make one with: openssl ecparam -name prime256v1 -genkey -noout).");
            }

            PublicKey = PemEncoding.WriteString("PUBLIC KEY", _key.ExportSubjectPublicKeyInfo());
        }

        var trusted = configuration.GetSection("Audit:TrustedPublicKeys").GetChildren().Select(c => c.Value).OfType<string>().Where(k => k.Length > 0);
        try
        {
            Trusted = TrustedKeys.FromPem(PublicKey is null ? trusted : trusted.Prepend(PublicKey));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new LearningSystem.Operations.SettingInvalid("Audit:TrustedPublicKeys holds a value that is not an EC public key in PEM.");
        }

        KeyId = PublicKey is null ? null : TrustedKeys.IdOf(PublicKey);
    }

    public string? PublicKey { get; }
    public string? KeyId { get; }
    public TrustedKeys Trusted { get; }

    /// <summary>The signature in IEEE P1363 form, base64; null without a key.</summary>
    public string? Sign(string statement) =>
        _key is null ? null : Convert.ToBase64String(_key.SignData(Encoding.UTF8.GetBytes(statement), HashAlgorithmName.SHA256));

    public void Dispose() => _key?.Dispose();
}

/// <summary>
/// Makes checkpoints: a Merkle root over the stored links of one organisation, up to a settled sequence. Each
/// goes out to the <c>checkpoint-made</c> subscribers through Wolverine's outbox, in the transaction that stores it.
/// </summary>
public sealed class Checkpointing(
    IDocumentStore store, OutboxedSessionFactory outbox, IWolverineRuntime runtime, CheckpointSigner signer, IConfiguration configuration, TimeProvider clock)
{
    /// <summary>
    /// A transaction may commit after a later sequence number is already visible; links younger than this
    /// many seconds wait for the next checkpoint, so that a checkpoint never misses one that commits late.
    /// </summary>
    public int SettleSeconds => configuration.GetValue("Audit:CheckpointSettleSeconds", 10);

    /// <summary>
    /// The new checkpoint, or null when nothing settled since the last one, or when the last was made after
    /// <paramref name="notIfMadeSince"/> (another node's timer got there first this period).
    /// </summary>
    public async Task<AuditCheckpoint?> MakeAsync(string organisation, CancellationToken ct, DateTimeOffset? notIfMadeSince = null)
    {
        var context = new MessageContext(runtime, organisation);
        await using var session = outbox.OpenSession(context, organisation);
        // Every node's timer ticks; the organisation's lock, held until this transaction ends, lets one make the
        // checkpoint and the others then find nothing new.
        await session.BeginTransactionAsync(ct);
        await session.QueryAsync<int>("select 1 from (select pg_advisory_xact_lock(hashtext(?))) locked", ct, $"learningsystem-checkpoint:{organisation}");
        var last = await session.Query<AuditCheckpoint>().Where(c => c.Number > 0).OrderByDescending(c => c.Number).FirstOrDefaultAsync(ct);
        if (notIfMadeSince is { } madeSince && last is not null && last.MadeAt > madeSince)
        {
            return null;
        }

        // The tree resumes from the last checkpoint's frontier and reads only the links after it; a checkpoint
        // made before frontiers were kept has none, and the tree is folded from the first link once more.
        var resumed = last is { Frontier.Count: > 0 } ? Merkle.Resume(last.Events, last.Frontier.Select(Convert.FromHexString).ToArray()) : null;
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = session.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"""
            select seq_id, stream_id, version, headers ->> '{HashChain.LinkHeader}' from {schema}.mt_events
            where tenant_id = @tenant and seq_id > @from and seq_id <= coalesce(
              (select max(e.seq_id) from {schema}.mt_events e where e.tenant_id = @tenant and e.timestamp <= now() - make_interval(secs => @settle)), 0)
            order by seq_id
            """, connection);
        command.Parameters.AddWithValue("tenant", organisation);
        command.Parameters.AddWithValue("settle", (double)SettleSeconds);
        command.Parameters.AddWithValue("from", resumed is null ? 0L : last!.UpToSequence);
        var merkle = resumed ?? new Merkle();
        var heads = new Dictionary<Guid, StreamHead>();
        long upTo = 0;
        var since = last?.UpToSequence ?? 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                upTo = reader.GetInt64(0);
                var link = reader.IsDBNull(3) ? "" : reader.GetString(3);
                merkle.Add(Convert.FromHexString(link));
                if (upTo > since)
                {
                    var stream = reader.GetGuid(1);
                    heads[stream] = new StreamHead(stream, reader.GetInt64(2), link);
                }
            }
        }

        if (merkle.Count == 0 || upTo <= since)
        {
            return null;
        }

        var root = Convert.ToHexStringLower(merkle.Root());
        var recorded = heads.Values.OrderBy(h => h.StreamId.ToString(), StringComparer.Ordinal).ToArray();
        var number = (last?.Number ?? 0) + 1;
        var previous = last?.StatementHash() ?? AuditCheckpoint.NoPrevious;
        var headsRoot = AuditCheckpoint.RootOfHeads(recorded);
        var statement = AuditCheckpoint.StatementOf(organisation, number, upTo, merkle.Count, root, recorded.Length, headsRoot, previous);
        var signature = signer.Sign(statement);
        var checkpoint = new AuditCheckpoint(
            Guid.CreateVersion7(), number, upTo, merkle.Count, root, headsRoot, previous, clock.GetUtcNow(), statement,
            signature, signature is null ? null : AuditCheckpoint.DerOf(Convert.FromBase64String(signature)), signer.KeyId, signer.PublicKey, recorded)
        {
            Frontier = merkle.Frontier.Select(Convert.ToHexStringLower).ToArray(),
        };
        session.Store(checkpoint);
        var notification = new Notification(Topics.CheckpointMade, organisation, checkpoint.Id, checkpoint.Id, upTo, checkpoint.MadeAt, "/api/audit/checkpoints.ndjson")
        {
            Checkpoint = new CheckpointNotice(number, upTo, statement, checkpoint.Signature, checkpoint.SignatureDer, checkpoint.KeyId, checkpoint.PublicKey),
        };
        foreach (var subscriber in await session.Query<WebhookSubscription>().Where(s => s.Topics.Contains(Topics.CheckpointMade)).ToListAsync(ct))
        {
            await context.PublishAsync(new DeliverWebhook(Notifying.DeliveryId(checkpoint.Id, subscriber.Id), subscriber.Id, notification));
        }

        await session.SaveChangesAsync(ct);
        return checkpoint;
    }

    /// <summary>Every organisation with events, in whichever database each lives.</summary>
    public async Task<IReadOnlyList<string>> OrganisationsAsync(CancellationToken ct) =>
        (await Organisation.EveryAsync(store, ct)).Select(o => o.Organisation).ToArray();
}

/// <summary>Makes a checkpoint for every organisation every <c>Audit:CheckpointMinutes</c> (5 unless set; 0 turns it off).</summary>
public sealed class CheckpointWriter(Checkpointing checkpointing, IConfiguration configuration, TimeProvider clock, ILogger<CheckpointWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = configuration.GetValue("Audit:CheckpointMinutes", 5.0);
        if (minutes <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(minutes));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Every node's timer ticks; one checkpoint per organisation per period, whichever node ticks first.
                var madeThisPeriod = clock.GetUtcNow() - TimeSpan.FromMinutes(minutes * 0.9);
                foreach (var organisation in await checkpointing.OrganisationsAsync(stoppingToken))
                {
                    await checkpointing.MakeAsync(organisation, stoppingToken, madeThisPeriod);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; a missed checkpoint loses nothing, the links are all still there.
                logger.LogWarning(e, "Making audit checkpoints failed");
            }
        }
    }
}
