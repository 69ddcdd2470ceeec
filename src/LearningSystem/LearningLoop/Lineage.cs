using LearningSystem.Curriculum;
using LearningSystem.Curriculum.Reflecting;
using LearningSystem.Feedback;
using LearningSystem.Lessons;
using LearningSystem.Negotiating.Deciding;
using LearningSystem.Participants;
using LearningSystem.Priorities;
using LearningSystem.ServiceRedesigns;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using LearningSystem.Http;

namespace LearningSystem.LearningLoop;

/// <summary>One item of the loop. Steps inside a redesign are named after it (<c>{redesign}/decision</c>).</summary>
public sealed record LineageNode(string Id, string Kind, string Label, Guid? By, StakeholderGroup? Group, DateTimeOffset At);

public sealed record LineageEdge(string From, string To, string Relation);

public sealed record LineageView(string Start, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges);

/// <summary>
/// The loop around any item: feedback → priority → redesign or curriculum change → decision → implementation
/// → outcome → evaluation (or teaching session → reflection), with the lessons and the feedback that back them. Edges point the way the loop runs; the walk
/// follows them both ways, so any item is a starting point.
/// </summary>
public static class LineageEndpoint
{
    public const int MaxNodes = 200;

    [WolverineGet("/api/lineage/{id}", OperationId = "getLineage"), Tags(LearningLoopModule.Tag)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    public static async Task<LineageView?> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var nodes = new Dictionary<string, LineageNode>();
        var edges = new HashSet<LineageEdge>();
        var pending = new Queue<Guid>([id]);
        var seen = new HashSet<Guid> { id };

        void Link(string from, string to, string relation) => edges.Add(new LineageEdge(from, to, relation));
        void Visit(Guid next)
        {
            if (nodes.Count < MaxNodes && seen.Add(next))
            {
                pending.Enqueue(next);
            }
        }

        while (pending.TryDequeue(out var current))
        {
            var batch = session.CreateBatchQuery();
            var feedback = batch.Load<PatientFeedback>(current);
            var priority = batch.Load<Priority>(current);
            var redesign = batch.Load<ServiceRedesign>(current);
            var lesson = batch.Load<Lesson>(current);
            var curriculumChange = batch.Load<CurriculumChange>(current);
            var reflection = batch.Load<Reflection>(current);
            var citingPriorities = batch.Query<Priority>().Where(p => p.Feedback.Contains(current) || p.Redesigns.Contains(current)).ToList();
            var citingRedesigns = batch.Query<ServiceRedesign>().Where(r => r.Evidence.Contains(current) || r.Decision!.BasedOnPriorities.Contains(current)).ToList();
            var citingChanges = batch.Query<CurriculumChange>().Where(c => c.Evidence.Contains(current) || c.Decision!.BasedOnPriorities.Contains(current)).ToList();
            var lessons = batch.Query<Lesson>().Where(l => l.About == current || l.Evidence.Contains(current)).ToList();
            var reflections = batch.Query<Reflection>().Where(r => r.CurriculumChangeId == current).ToList();
            await batch.Execute(ct);

            var key = current.ToString();
            if (await feedback is { } f)
            {
                nodes[key] = new LineageNode(key, "feedback", $"{WireValues<FeedbackRating>.Name(f.Rating)} feedback on {f.Service}", null, null, f.ReceivedAt);
                foreach (var answer in f.Responses.Where(r => r.RedesignId is not null))
                {
                    Link(key, answer.RedesignId!.Value.ToString(), "answeredBy");
                    Visit(answer.RedesignId.Value);
                }
            }
            else if (await priority is { } p)
            {
                nodes[key] = new LineageNode(key, "priority", p.Statement, p.SetBy, p.SetByGroup, p.SetAt);
                foreach (var source in p.Feedback)
                {
                    Link(source.ToString(), key, "informed");
                    Visit(source);
                }

                foreach (var linked in p.Redesigns)
                {
                    Link(key, linked.ToString(), "concerns");
                    Visit(linked);
                }

                if (p.Decision is { } d)
                {
                    var decision = $"{key}/decision";
                    nodes[decision] = new LineageNode(decision, "decision", $"priority {d.Outcome.ToString().ToLowerInvariant()}", d.By, null, d.At);
                    Link(key, decision, "decidedBy");
                }
            }
            else if (await redesign is { } r)
            {
                AddRedesign(r, nodes, Link, Visit);
            }
            else if (await lesson is { } l)
            {
                nodes[key] = new LineageNode(key, "lesson", l.Text, l.By, l.ByGroup, l.RecordedAt);
                Link(l.About.ToString(), key, "taught");
                Visit(l.About);
                foreach (var evidence in l.Evidence)
                {
                    Link(evidence.ToString(), key, "evidenceFor");
                    Visit(evidence);
                }
            }
            else if (await curriculumChange is { } c)
            {
                AddCurriculumChange(c, nodes, Link, Visit);
            }
            else if (await reflection is { } reflected)
            {
                // The reflection's words are personal; the graph shows only who reflected, and on what.
                nodes[key] = new LineageNode(key, "reflection", $"{WireValues<StakeholderGroup>.Name(reflected.ByGroup)} reflection", reflected.By, reflected.ByGroup, reflected.RecordedAt);
                Link(reflected.SessionId is { } taughtIn ? taughtIn.ToString() : reflected.CurriculumChangeId.ToString(), key, "reflectedOn");
                Visit(reflected.CurriculumChangeId);
            }
            else if (current == id)
            {
                return null;
            }

            foreach (var p2 in await citingPriorities)
            {
                Visit(p2.Id);
            }

            foreach (var r2 in await citingRedesigns)
            {
                Visit(r2.Id);
            }

            foreach (var c2 in await citingChanges)
            {
                Visit(c2.Id);
            }

            foreach (var l2 in await lessons)
            {
                Visit(l2.Id);
            }

            foreach (var r3 in await reflections)
            {
                Visit(r3.Id);
            }
        }

        // Edges to items outside this organisation, or beyond the cap, are left out.
        return new LineageView(
            id.ToString(),
            nodes.Values.OrderBy(n => n.At).ThenBy(n => n.Id, StringComparer.Ordinal).ToArray(),
            edges.Where(e => nodes.ContainsKey(e.From) && nodes.ContainsKey(e.To))
                .OrderBy(e => nodes[e.From].At).ThenBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ToArray());
    }

    private static void AddRedesign(ServiceRedesign r, Dictionary<string, LineageNode> nodes, Action<string, string, string> link, Action<Guid> visit)
    {
        var node = new LineageNode(r.Id.ToString(), "redesign", r.Title, r.ProposedBy, r.ProposerGroup, r.ProposedAt);
        if (AddChange(r, node, r.Evidence, "redesign", nodes, link, visit) is not { } decision)
        {
            return;
        }

        foreach (var i in r.Implementations)
        {
            nodes[i.Id.ToString()] = new LineageNode(i.Id.ToString(), "implementation", i.WhatChanged, i.By, i.ByGroup, i.ImplementedOn);
            link(decision, i.Id.ToString(), "implementedBy");
        }

        foreach (var o in r.Outcomes)
        {
            nodes[o.Id.ToString()] = new LineageNode(o.Id.ToString(), "outcome", $"{o.Measure}: {o.Baseline} → {o.Value} {o.Unit}".TrimEnd(), o.By, null, o.PeriodEnd);
            link(o.ImplementationId.ToString(), o.Id.ToString(), "measuredBy");
        }

        foreach (var e in r.Evaluations)
        {
            nodes[e.Id.ToString()] = new LineageNode(e.Id.ToString(), "evaluation", e.Summary, e.By, e.ByGroup, e.At);
            foreach (var m in e.Measurements)
            {
                link(m.ToString(), e.Id.ToString(), "evaluatedBy");
            }
        }
    }

    private static void AddCurriculumChange(CurriculumChange c, Dictionary<string, LineageNode> nodes, Action<string, string, string> link, Action<Guid> visit)
    {
        var node = new LineageNode(c.Id.ToString(), "curriculumChange", $"{c.Course}{(c.Module is null ? "" : $", {c.Module}")}: {c.LearningOutcome}", c.ProposedBy, c.ProposerGroup, c.ProposedAt);
        if (AddChange(c, node, c.Evidence, "curriculum change", nodes, link, visit) is not { } decision)
        {
            return;
        }

        foreach (var s in c.Sessions)
        {
            nodes[s.Id.ToString()] = new LineageNode(s.Id.ToString(), "teachingSession", s.Title, s.By, s.ByGroup, s.DeliveredOn);
            link(decision, s.Id.ToString(), "taughtIn");
        }
    }

    /// <summary>A change (a redesign or a curriculum change), the evidence it cites, and its decision; answers the decision's node, if decided.</summary>
    private static string? AddChange(
        IChange change, LineageNode node, IReadOnlyList<Guid> evidence, string what, Dictionary<string, LineageNode> nodes, Action<string, string, string> link, Action<Guid> visit)
    {
        nodes[node.Id] = node;
        foreach (var cited in evidence)
        {
            link(cited.ToString(), node.Id, "evidenceFor");
            visit(cited);
        }

        return AddDecision(change, what, nodes, link, visit);
    }

    /// <summary>A change's decision, named after it, and the agreed priorities that justified it.</summary>
    private static string? AddDecision(IChange change, string what, Dictionary<string, LineageNode> nodes, Action<string, string, string> link, Action<Guid> visit)
    {
        if (change.Decision is not { } d)
        {
            return null;
        }

        var decision = $"{change.Id}/decision";
        nodes[decision] = new LineageNode(decision, "decision", $"{what} {WireValues<ChangeOutcome>.Name(d.Outcome)}", d.By, d.ByGroup, d.At);
        link(change.Id.ToString(), decision, "decidedBy");
        foreach (var priority in d.BasedOnPriorities)
        {
            link(priority.ToString(), decision, "justified");
            visit(priority);
        }

        return decision;
    }
}
