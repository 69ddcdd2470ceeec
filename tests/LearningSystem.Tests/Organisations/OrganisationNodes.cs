namespace LearningSystem.Tests.Organisations;

/// <summary>What the tests of organisations in databases of their own give their nodes and their commands.</summary>
public static class OrganisationNodes
{
    /// <summary>A node's settings: database-per-organisation tenancy, signed checkpoints only on request, and the client granted <paramref name="organisations"/> besides st-marys.</summary>
    public static string[] Settings(string shared, string key, string signingKey, IEnumerable<string> organisations, params string[] more) =>
        ServiceProcess.Settings(shared, key,
        [
            "--Database:Tenancy=DatabasePerOrganisation",
            $"--Audit:SigningKey={signingKey}",
            "--Audit:CheckpointMinutes=0",
            "--Audit:CheckpointSettleSeconds=0",
            .. organisations.Select((o, i) => $"--Clients:tests:Organisations:{i + 1}={o}"),
            .. more,
        ]);

    /// <summary>The same settings for a JasperFx command, which takes them from the environment.</summary>
    public static Dictionary<string, string> Environment(string shared, string signingKey) => new()
    {
        ["ConnectionStrings__LearningSystem"] = shared,
        ["Database__Tenancy"] = "DatabasePerOrganisation",
        ["Audit__SigningKey"] = signingKey,
        ["Audit__CheckpointMinutes"] = "0",
        ["PersonalData__MasterKeys__tests-1"] = Convert.ToBase64String(new byte[32]),
        ["PersonalData__ActiveMasterKey"] = "tests-1",
    };

    /// <summary>A client of <paramref name="node"/> signed in with <paramref name="key"/>, acting for <paramref name="organisation"/>.</summary>
    public static HttpClient For(ServiceProcess node, string key, string organisation)
    {
        var client = new HttpClient { BaseAddress = node.Client.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        client.DefaultRequestHeaders.Add("X-Organisation", organisation);
        return client;
    }
}
