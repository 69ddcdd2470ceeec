using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LearningSystem.Tests.Http;

/// <summary>Lists that can grow come in pages, and a client can tell when it has everything: no Link header.</summary>
[Collection(ServiceGroup.Name)]
public sealed class PagingLists(ServiceFixture service)
{
    private static async Task<(List<Guid> Ids, int Pages)> ReadAllAsync(HttpClient http, string first, Func<JsonElement, Guid> id)
    {
        var ids = new List<Guid>();
        var pages = 0;
        for (var url = first; url is not null; pages++)
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(id));
            url = response.Headers.TryGetValues("Link", out var links)
                ? links.Single().Split(';')[0].Trim('<', '>', ' ')
                : null;
            Assert.True(pages < 50, "paging did not end");
        }

        return (ids, pages);
    }

    [Fact]
    public async Task Priorities_set_at_the_same_moment_page_through_without_loss_or_repeat()
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("paging"));
        service.Clock.Now = TestClock.Start;
        var jenny = (await (await http.PostAsJsonAsync("/api/participants", Requests.Jenny)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var set = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            set.Add((await (await http.PostAsJsonAsync("/api/priorities", new { statement = $"Priority {i}", rationale = "r", setBy = jenny }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        var (listed, pages) = await ReadAllAsync(http, "/api/priorities?limit=3&setByGroup=student", p => p.GetProperty("id").GetGuid());
        var (byParticipant, _) = await ReadAllAsync(http, $"/api/participants/{jenny}/priorities?limit=2", p => p.GetProperty("id").GetGuid());

        Assert.Equal(3, pages);
        Assert.Equal(set.Order(), listed.Order());
        Assert.Equal(set.Order(), byParticipant.Order());
        Assert.Equal(7, (await http.GetFromJsonAsync<JsonElement>("/api/priorities")).GetArrayLength());
    }

    [Fact]
    public async Task A_streams_events_page_by_version()
    {
        using var http = service.ClientFor("tests", Stories.NewOrganisation("paging"));
        var jenny = (await (await http.PostAsJsonAsync("/api/participants", Requests.Jenny)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var priority = (await (await http.PostAsJsonAsync("/api/priorities", new { statement = "s", rationale = "r", setBy = jenny })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        for (var i = 0; i < 4; i++)
        {
            var patient = (await (await http.PostAsJsonAsync("/api/participants", new { displayName = $"P{i}", stakeholderGroup = "patient" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync($"/api/priorities/{priority}/endorsements", new { by = patient })).StatusCode);
        }

        var versions = new List<long>();
        var pages = 0;
        for (var url = $"/api/streams/{priority}/events?limit=2"; url is not null; pages++)
        {
            using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
            versions.AddRange((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(e => e.GetProperty("version").GetInt64()));
            url = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split(';')[0].Trim('<', '>', ' ') : null;
        }

        Assert.Equal([1L, 2, 3, 4, 5], versions);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("/api/priorities?limit=0")]
    [InlineData("/api/priorities?limit=1001")]
    [InlineData("/api/priorities?after=not-a-cursor")]
    [InlineData("/api/lessons?after=%21%21")]
    public async Task A_bad_limit_or_cursor_is_400(string url)
    {
        using var http = service.ClientFor();
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_says_how_lists_page()
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");
        var list = document.GetProperty("paths").GetProperty("/api/priorities").GetProperty("get");

        Assert.Contains(list.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "after" && p.GetProperty("description").GetString()!.Contains("Link", StringComparison.Ordinal));
        Assert.True(list.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("Link", out _));
    }
}
