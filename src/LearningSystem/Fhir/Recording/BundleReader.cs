using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Hl7.Fhir.Model;

namespace LearningSystem.Fhir.Recording;

/// <summary>
/// Reads a Bundle from the request as it arrives: its <c>type</c>, then each entry's JSON, one at a time, so that
/// a Bundle of any length is held in memory one entry (and one network read) at a time. FHIR's JSON order puts
/// <c>type</c> before <c>entry</c>; a Bundle that does not is refused.
/// </summary>
public sealed class BundleReader(PipeReader body)
{
    /// <summary>As much as one request to the service may carry by default (<c>LearningSystem:MaxRequestBodyBytes</c>).</summary>
    public const long MaxEntryBytes = Http.Api.DefaultMaxRequestBodyBytes;

    private enum Phase { BeforeBundle, InBundle, InEntries, Done }

    private bool _namedBundle;

    private Phase _phase = Phase.BeforeBundle;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 64 });

    public string? Type { get; private set; }

    /// <summary>Each entry's JSON, in order. The Bundle's own faults are <see cref="FhirRefused"/>.</summary>
    public async IAsyncEnumerable<byte[]> EntriesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (_phase != Phase.Done)
        {
            var read = await body.ReadAsync(ct);
            var found = new List<byte[]>();
            SequencePosition consumed;
            try
            {
                consumed = Parse(read.Buffer, read.IsCompleted, found);
            }
            catch (JsonException e)
            {
                throw new FhirRefused(OperationOutcome.IssueType.Structure, "Bundle", $"The Bundle is not JSON a FHIR server can read: {e.Message.Split(" Path:")[0]}");
            }

            // An entry (or another value of the Bundle) larger than a whole request may be is refused, not held.
            if (read.Buffer.Slice(consumed).Length > MaxEntryBytes)
            {
                throw new FhirRefused(OperationOutcome.IssueType.TooLong, "Bundle.entry", $"An entry may hold at most {MaxEntryBytes} bytes.");
            }

            body.AdvanceTo(consumed, read.Buffer.End);
            foreach (var entry in found)
            {
                yield return entry;
            }

            if (read.IsCompleted && _phase != Phase.Done)
            {
                throw new FhirRefused(OperationOutcome.IssueType.Structure, "Bundle", "The Bundle ended before it was complete.");
            }
        }
    }

    /// <summary>Reads what <paramref name="buffer"/> completes; answers how far it got. An entry not yet whole waits for the next read.</summary>
    private SequencePosition Parse(ReadOnlySequence<byte> buffer, bool final, List<byte[]> found)
    {
        var reader = new Utf8JsonReader(buffer, final, _state);
        var done = reader.Position;
        while (_phase != Phase.Done)
        {
            var before = reader;
            if (!reader.Read())
            {
                break;
            }

            switch (_phase)
            {
                case Phase.BeforeBundle when reader.TokenType != JsonTokenType.StartObject:
                    throw new FhirRefused(OperationOutcome.IssueType.Structure, "Bundle", "The body is not a Bundle.");
                case Phase.BeforeBundle:
                    _phase = Phase.InBundle;
                    break;
                case Phase.InBundle when reader.TokenType == JsonTokenType.EndObject:
                    _phase = Phase.Done;
                    break;
                case Phase.InBundle when reader.ValueTextEquals("entry"):
                    if (!_namedBundle || Type is null)
                    {
                        throw new FhirRefused(OperationOutcome.IssueType.Structure, _namedBundle ? "Bundle.type" : "resourceType",
                            "The Bundle's resourceType and type must come before its entries, as FHIR's JSON order puts them.");
                    }

                    if (!reader.Read())
                    {
                        reader = before;
                        goto more;
                    }

                    _phase = reader.TokenType == JsonTokenType.StartArray
                        ? Phase.InEntries
                        : throw new FhirRefused(OperationOutcome.IssueType.Structure, "Bundle.entry", "The Bundle's entry must be an array.");
                    break;
                case Phase.InBundle:
                    var name = reader.GetString();
                    if (!reader.Read() || !reader.TrySkip())
                    {
                        // The property's value is not all here yet: read it again, name first, with more.
                        reader = before;
                        goto more;
                    }

                    Property(name, ref reader);
                    break;
                case Phase.InEntries when reader.TokenType == JsonTokenType.EndArray:
                    _phase = Phase.InBundle;
                    break;
                case Phase.InEntries:
                    var start = reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        reader = before;
                        goto more;
                    }

                    found.Add(buffer.Slice(start, reader.BytesConsumed - start).ToArray());
                    break;
            }

            done = reader.Position;
            _state = reader.CurrentState;
        }

        more:
        _state = reader.CurrentState;
        return done;
    }

    /// <summary>A property of the Bundle other than its entries, its value read: <c>resourceType</c> and <c>type</c> are checked.</summary>
    private void Property(string? name, ref Utf8JsonReader reader)
    {
        switch (name)
        {
            case "resourceType" when reader.TokenType != JsonTokenType.String || reader.GetString() != "Bundle":
                throw new FhirRefused(OperationOutcome.IssueType.NotSupported, "resourceType", "Only a Bundle is accepted here.");
            case "resourceType":
                _namedBundle = true;
                break;
            case "type":
                Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (Type != "batch")
                {
                    throw new FhirRefused(OperationOutcome.IssueType.NotSupported, "Bundle.type",
                        $"Only a batch Bundle is accepted, not {(Type is null ? "this" : $"a {Type}")}: each entry is recorded on its own. Send a transaction's entries as a batch.");
                }

                break;
        }
    }
}
