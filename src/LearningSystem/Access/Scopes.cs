namespace LearningSystem.Access;

/// <summary>
/// What a client may do. Every endpoint needs exactly one scope, found by the first rule that matches its
/// method and route; an endpoint no rule covers stops the service at start-up rather than going unguarded.
/// </summary>
public static class Scopes
{
    public const string Read = "read";
    public const string FeedbackRead = "feedback:read";
    public const string FeedbackWrite = "feedback:write";
    public const string NegotiationWrite = "negotiation:write";
    public const string CurriculumWrite = "curriculum:write";
    public const string AuditRead = "audit:read";
    public const string AnalyticsRead = "analytics:read";
    public const string Admin = "admin";
    public const string Webhooks = "webhooks";

    public static IReadOnlyList<string> All { get; } =
        [Read, FeedbackRead, FeedbackWrite, NegotiationWrite, CurriculumWrite, AuditRead, AnalyticsRead, Admin, Webhooks];

    /// <summary>What each scope lets a client do, as the OpenAPI document's OAuth2 flow lists it.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        [Read] = "Read participants, priorities, proposals, rounds, lessons and the learning loop.",
        [FeedbackRead] = "Read patient feedback, as each patient consented.",
        [FeedbackWrite] = "Record patient feedback and respond to it.",
        [NegotiationWrite] = "Register participants, set priorities, propose, negotiate and decide.",
        [CurriculumWrite] = "Propose curriculum changes and record teaching sessions and reflections.",
        [AuditRead] = "Read decision provenance, stream histories, the audit chain, its checkpoints and exports.",
        [AnalyticsRead] = "Export, replay and rescore for analysis.",
        [Admin] = "Erase personal data, make checkpoints and rebuild views.",
        [Webhooks] = "Manage webhook subscriptions and read their deliveries.",
    };

    private static readonly (string Method, string Route, string Scope)[] Rules =
    [
        ("*", "/api/admin/", Admin),
        ("*", "/api/webhooks", Webhooks),
        ("POST", "/api/audit/checkpoints", Admin),
        ("POST", "/api/audit/consistency", AuditRead),
        ("POST", "/api/participants/{id}/erasure", Admin),
        ("POST", "/api/patient-feedback/subjects/", Admin),
        ("GET", "/api/audit/", AuditRead),
        ("GET", "/api/decisions/", AuditRead),
        ("GET", "/api/priorities/{id}/provenance", AuditRead),
        ("GET", "/api/streams/", AuditRead),
        ("GET", "/api/export/", AnalyticsRead),
        ("GET", "/api/rounds/{id}/rescoring", AnalyticsRead),
        ("GET", "/api/rounds/{id}/replay", AnalyticsRead),
        ("GET", "/api/priorities/{id}/replay", AnalyticsRead),
        ("GET", "/api/patient-feedback/ratings", Read),
        ("GET", ".csv", AnalyticsRead),
        ("GET", "/api/patient-feedback", FeedbackRead),
        ("POST", "/api/patient-feedback", FeedbackWrite),
        ("POST", "/api/curriculum-changes", CurriculumWrite),
        ("GET", "/fhir/QuestionnaireResponse", FeedbackRead),
        ("POST", "/fhir", FeedbackWrite),
        ("GET", "/fhir/", Read),
        ("POST", "/api/", NegotiationWrite),
        ("PUT", "/api/", NegotiationWrite),
        ("GET", "/api/", Read),
    ];

    /// <summary>The scope an endpoint needs: a route prefix, or a suffix when the rule starts with a dot.</summary>
    public static string For(string method, string route)
    {
        foreach (var (m, r, scope) in Rules)
        {
            var methodMatches = m == "*" || string.Equals(m, method, StringComparison.OrdinalIgnoreCase);
            var routeMatches = r.StartsWith('.') ? route.EndsWith(r, StringComparison.Ordinal) : route.StartsWith(r, StringComparison.Ordinal);
            if (methodMatches && routeMatches)
            {
                return scope;
            }
        }

        throw new InvalidOperationException($"No scope guards {method} {route}; add a rule to {nameof(Scopes)}.");
    }

    /// <summary>
    /// Our scopes a SMART Backend Services token's system scopes grant, in SMART v1 (<c>system/QuestionnaireResponse.write</c>)
    /// or v2 (<c>system/QuestionnaireResponse.c</c>) form: creating QuestionnaireResponses is <c>feedback:write</c>, reading
    /// them <c>feedback:read</c>, reading Questionnaires <c>read</c>; <c>*</c> stands for every resource type. A scope
    /// narrowed by a query (<c>?category=…</c>) grants nothing: the service cannot hold a client to it.
    /// </summary>
    public static IEnumerable<string> FromSmart(IEnumerable<string> scopes)
    {
        foreach (var scope in scopes)
        {
            if (scope.Split('/', 2) is not ["system", var rest] || rest.Contains('?', StringComparison.Ordinal) || rest.Split('.', 2) is not [var type, var access])
            {
                continue;
            }

            var (create, read) = access switch
            {
                "*" => (true, true),
                "write" => (true, false),
                "read" => (false, true),
                _ when access.Length > 0 && access.All(c => "cruds".Contains(c, StringComparison.Ordinal)) => (access.Contains('c', StringComparison.Ordinal), access.Contains('r', StringComparison.Ordinal)),
                _ => (false, false),
            };
            if (type is "QuestionnaireResponse" or "*")
            {
                if (create)
                {
                    yield return FeedbackWrite;
                }

                if (read)
                {
                    yield return FeedbackRead;
                }
            }

            if (type is "Questionnaire" or "*" && read)
            {
                yield return Read;
            }
        }
    }
}
