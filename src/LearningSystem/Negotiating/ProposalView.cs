using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;

namespace LearningSystem.Negotiating;

/// <summary>
/// A proposal kind's inline view (the proposal applies its own events), applied only to streams of that kind.
/// Marten applies inline views by event type whatever the stream, so without this filter every move on a
/// priority also loaded a service redesign and a curriculum change that cannot exist: two wasted round trips.
/// </summary>
public sealed class ProposalView<T> : SingleStreamProjection<T, Guid> where T : notnull
{
    public ProposalView()
    {
        // The same filter for rebuilds, which read streams rather than appends.
        FilterIncomingEventsOnStreamType(typeof(T));
    }

    protected override IInlineProjection<IDocumentOperations> buildForInline() => new OwnStreams(base.buildForInline());

    private sealed class OwnStreams(IInlineProjection<IDocumentOperations> view) : IInlineProjection<IDocumentOperations>
    {
        // An append that names no aggregate type is still offered, as before; every append here names one.
        public Task ApplyAsync(IDocumentOperations operations, IEnumerable<StreamAction> streams, CancellationToken cancellation) =>
            view.ApplyAsync(operations, streams.Where(s => s.AggregateType is null || s.AggregateType == typeof(T)), cancellation);
    }
}
