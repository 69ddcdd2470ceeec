using System.Security.Cryptography;
using System.Text.Json;
using Alba;
using LearningSystem.Audit;

namespace LearningSystem.Tests.Audit;

/// <summary>
/// A checkpoint extends the tree from the last one's right frontier, reading only the links after it, so its
/// cost depends on what is new rather than on the size of the log.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class GrowingCheckpoints(ServiceFixture service)
{
    private IAlbaHost Host => service.Host;

    private static byte[] Link(int i) => SHA256.HashData(BitConverter.GetBytes(i));

    [Fact]
    public void A_tree_resumed_from_its_frontier_has_the_root_of_the_tree_folded_from_the_first_link()
    {
        for (var total = 0; total <= 70; total++)
        {
            var whole = new Merkle();
            for (var i = 0; i < total; i++)
            {
                whole.Add(Link(i));
            }

            for (var kept = 0; kept <= total; kept++)
            {
                var before = new Merkle();
                for (var i = 0; i < kept; i++)
                {
                    before.Add(Link(i));
                }

                var resumed = Merkle.Resume(before.Count, before.Frontier);
                for (var i = kept; i < total; i++)
                {
                    resumed.Add(Link(i));
                }

                Assert.Equal(whole.Root(), resumed.Root());
                Assert.Equal(total, resumed.Count);
            }
        }
    }

    [Fact]
    public void A_frontier_that_does_not_fit_the_count_is_refused()
    {
        var tree = new Merkle();
        foreach (var i in Enumerable.Range(0, 6))
        {
            tree.Add(Link(i));
        }

        // Six links make subtrees of four and two.
        Assert.Equal(2, tree.Frontier.Count);
        Assert.Throws<ArgumentException>(() => Merkle.Resume(7, tree.Frontier));
        Assert.Throws<ArgumentException>(() => Merkle.Resume(6, [tree.Frontier[0]]));
    }

    private async Task<JsonElement> CheckpointAsync(string organisation)
    {
        var made = await Host.Scenario(s =>
        {
            s.Post.Json(new { }).ToUrl("/api/audit/checkpoints");
            s.WithRequestHeader("X-Organisation", organisation);
            s.StatusCodeShouldBe(201);
        });
        return await made.ReadAsJsonAsync<JsonElement>();
    }

    private Task<Guid[]> MoreAsync(string organisation, int participants) =>
        Task.WhenAll(Enumerable.Range(0, participants).Select(i =>
            Host.CreateAsync("/api/participants", new { displayName = $"Patient {i}", stakeholderGroup = "patient" }, organisation)));

    [Fact]
    public async Task Checkpoints_grown_from_the_last_ones_frontier_verify_and_a_wrong_frontier_is_caught()
    {
        var organisation = Stories.NewOrganisation("growing");
        await MoreAsync(organisation, 5);
        var first = await CheckpointAsync(organisation);
        await MoreAsync(organisation, 6);
        var second = await CheckpointAsync(organisation);
        await MoreAsync(organisation, 7);
        var third = await CheckpointAsync(organisation);

        Assert.Equal([5L, 11L, 18L], new[] { first, second, third }.Select(c => c.GetProperty("events").GetInt64()));
        // One frontier hash per set bit of the count: 5 = 4 + 1, 11 = 8 + 2 + 1, 18 = 16 + 2.
        Assert.Equal([2, 3, 2], new[] { first, second, third }.Select(c => c.GetProperty("frontier").GetArrayLength()));
        var report = await Host.GetJsonAsync("/api/audit/verify", organisation: organisation);
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.All(report.GetProperty("checkpoints").EnumerateArray(), c => Assert.True(c.GetProperty("matches").GetBoolean()));

        // The next checkpoint is grown from the kept frontier, not from the links before it: a frontier changed
        // in the database makes a root that verification then refuses.
        Assert.True(await Tampering.ExecuteAsync(service.ConnectionString,
            "update learningsystem.mt_doc_auditcheckpoint set data = jsonb_set(data, '{frontier,0}', to_jsonb(repeat('ab', 32))) where tenant_id = @tenant and (data ->> 'number')::bigint = 3",
            ("tenant", organisation)) > 0);
        await MoreAsync(organisation, 2);
        await CheckpointAsync(organisation);
        var after = await Host.GetJsonAsync("/api/audit/verify", organisation: organisation);
        Assert.False(after.GetProperty("checkpoints").EnumerateArray().Single(c => c.GetProperty("number").GetInt64() == 4).GetProperty("matches").GetBoolean());
    }
}
