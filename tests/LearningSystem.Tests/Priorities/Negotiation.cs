using System.Text.Json;
using Alba;

namespace LearningSystem.Tests.Priorities;

/// <summary>The requests the negotiation scenarios repeat.</summary>
public static class Negotiation
{
    public static async Task<Guid> ParticipantAsync(this IAlbaHost host, string name, string group) =>
        await host.CreateAsync("/api/participants", new { displayName = name, stakeholderGroup = group });

    public static Task<Guid> SetPriorityAsync(this IAlbaHost host, Guid by, string statement = "Shorter waits in the diabetes clinic") =>
        host.CreateAsync("/api/priorities", new { statement, rationale = "Patients wait for hours without news.", setBy = by });

    /// <summary>Makes a move and answers its JSON body, checking the status.</summary>
    public static async Task<JsonElement> MoveAsync(this IAlbaHost host, Guid priority, string move, object body, int status = 201, string? ifMatch = null)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/priorities/{priority}/{move}");
            if (ifMatch is not null)
            {
                s.WithRequestHeader("If-Match", ifMatch);
            }

            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsJsonAsync<JsonElement>();
    }
}
