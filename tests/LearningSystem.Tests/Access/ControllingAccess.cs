using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using LearningSystem.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LearningSystem.Tests.Access;

/// <summary>Integrating clients sign in, act only within their scopes and organisations, and are rate limited.</summary>
[Collection(ServiceGroup.Name)]
public sealed class ControllingAccess(ServiceFixture service)
{
    private static object Feedback => Requests.Feedback("The kiosk asked me nothing about waiting.");

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Every_endpoint_needs_a_scope()
    {
        var endpoints = service.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true).ToArray();

        Assert.True(endpoints.Length > 60);
        Assert.All(endpoints, e => Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => Scopes.All.Contains(a.Policy)));
    }

    [Fact]
    public async Task Missing_or_wrong_credentials_are_a_401_problem()
    {
        using var anonymous = service.ClientFor(null);
        using var wrong = service.ClientFor(null);
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");

        var missing = await ProblemAsync(await anonymous.GetAsync(new Uri("/api/priorities", UriKind.Relative)), HttpStatusCode.Unauthorized);
        var refused = await wrong.PostAsJsonAsync("/api/patient-feedback", Feedback);

        Assert.Contains("X-Api-Key", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("ApiKey", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await ProblemAsync(refused, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_client_with_one_scope_and_one_organisation_does_exactly_that()
    {
        using var kiosk = service.ClientFor("ward-kiosk");
        var before = await service.EventCountAsync();

        using var recorded = await kiosk.PostAsJsonAsync("/api/patient-feedback", Feedback);
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var id = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var reading = await ProblemAsync(await kiosk.GetAsync(new Uri($"/api/patient-feedback/{id}", UriKind.Relative)), HttpStatusCode.Forbidden);
        Assert.Contains("'feedback:read'", reading.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(await kiosk.PostAsJsonAsync("/api/participants", Requests.Jenny), HttpStatusCode.Forbidden);
        using var elsewhere = new HttpRequestMessage(HttpMethod.Post, "/api/patient-feedback") { Content = JsonContent.Create(Feedback) };
        elsewhere.Headers.Add("X-Organisation", "general-hospital");
        var forbidden = await ProblemAsync(await kiosk.SendAsync(elsewhere), HttpStatusCode.Forbidden);
        Assert.Contains("general-hospital", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The one event it may write, in the organisation it is granted, by the client on record.
        Assert.Equal(before + 1, await service.EventCountAsync());
        Assert.Equal("ward-kiosk", await ClientOnRecordAsync(id));
    }

    [Fact]
    public async Task A_client_granted_several_organisations_names_one()
    {
        using var office = service.ClientFor("research-office");

        var unnamed = await ProblemAsync(await office.GetAsync(new Uri("/api/priorities", UriKind.Relative)), HttpStatusCode.BadRequest);
        using var named = new HttpRequestMessage(HttpMethod.Get, "/api/priorities");
        named.Headers.Add("X-Organisation", "general-hospital");

        Assert.Contains("st-marys, general-hospital", unnamed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await office.SendAsync(named)).StatusCode);
    }

    [Fact]
    public async Task A_smart_backend_services_tokens_system_scopes_grant_ours_and_no_more()
    {
        using var kiosk = Bearer(Token("trust-survey", "system/QuestionnaireResponse.c system/Questionnaire.rs", "st-marys"));
        var response = """
            {"resourceType":"QuestionnaireResponse","questionnaire":"urn:learningsystem:questionnaire:patient-feedback","status":"completed",
             "authored":"2026-11-18T09:30:00Z","source":{"display":"sms-survey"},
             "item":[{"linkId":"service","answer":[{"valueString":"Outpatient Diabetes Clinic"}]},
                     {"linkId":"rating","answer":[{"valueCoding":{"system":"urn:learningsystem:friends-and-family-test","code":"good"}}]},
                     {"linkId":"consent","answer":[{"valueCoding":{"system":"urn:learningsystem:consent-purpose","code":"serviceImprovement"}}]}]}
            """;

        using var recorded = await kiosk.PostAsync(new Uri("/fhir/QuestionnaireResponse", UriKind.Relative), new StringContent(response, System.Text.Encoding.UTF8, "application/fhir+json"));
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        Assert.StartsWith("/fhir/QuestionnaireResponse/", recorded.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await kiosk.GetAsync(new Uri("/fhir/Questionnaire/patient-feedback", UriKind.Relative))).StatusCode);
        await ProblemAsync(await kiosk.GetAsync(recorded.Headers.Location), HttpStatusCode.Forbidden);
        await ProblemAsync(await kiosk.GetAsync(new Uri("/api/patient-feedback", UriKind.Relative)), HttpStatusCode.Forbidden);
        // The scope it grants is ours, so the JSON command takes it as well.
        Assert.Equal(HttpStatusCode.Created, (await kiosk.PostAsJsonAsync("/api/patient-feedback", Feedback)).StatusCode);
    }

    [Theory]
    [InlineData("system/QuestionnaireResponse.c", "feedback:write")]
    [InlineData("system/QuestionnaireResponse.write", "feedback:write")]
    [InlineData("system/QuestionnaireResponse.rs", "feedback:read")]
    [InlineData("system/QuestionnaireResponse.cruds", "feedback:write feedback:read")]
    [InlineData("system/Questionnaire.read", "read")]
    [InlineData("system/*.*", "feedback:write feedback:read read")]
    [InlineData("system/QuestionnaireResponse.c?author=x", "")]
    [InlineData("patient/QuestionnaireResponse.c", "")]
    [InlineData("system/Patient.rs", "")]
    public void Smart_system_scopes_map_to_ours(string smart, string ours) =>
        Assert.Equal(ours.Split(' ', StringSplitOptions.RemoveEmptyEntries), LearningSystem.Access.Scopes.FromSmart([smart]));

    [Fact]
    public async Task Bearer_tokens_from_the_configured_issuer_sign_clients_in()
    {
        using var epr = Bearer(Token("hospital-epr", "read feedback:write", "st-marys"));
        using var recorded = await epr.PostAsJsonAsync("/api/patient-feedback", Feedback);
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);
        var id = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal("hospital-epr", await ClientOnRecordAsync(id));

        using var expired = Bearer(Token("hospital-epr", "read", "st-marys", expires: Earlier));
        using var forged = Bearer(Token("hospital-epr", "read", "st-marys", key: new byte[32]));
        using var unscoped = Bearer(Token("hospital-epr", "", "st-marys"));
        await ProblemAsync(await expired.GetAsync(new Uri("/api/priorities", UriKind.Relative)), HttpStatusCode.Unauthorized);
        await ProblemAsync(await forged.GetAsync(new Uri("/api/priorities", UriKind.Relative)), HttpStatusCode.Unauthorized);
        await ProblemAsync(await unscoped.GetAsync(new Uri("/api/priorities", UriKind.Relative)), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_client_over_its_rate_limit_gets_a_429_with_retry_after()
    {
        using var throttled = service.ClientFor("throttled");
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await throttled.GetAsync(new Uri("/api/priorities", UriKind.Relative)));
        }

        var refused = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        await ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
    }

    private async Task<string?> ClientOnRecordAsync(Guid stream)
    {
        await using var session = service.Host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession("st-marys");
        var events = await session.Events.FetchStreamAsync(stream);
        return events.Single().Headers![LearningSystem.Attribution.WhoActed.ClientKey].ToString();
    }

    // The service may judge lifetimes by the tests' clock or the machine's; a token must be valid, or expired, by both.
    private DateTime Later => new[] { DateTime.UtcNow, service.Clock.GetUtcNow().UtcDateTime }.Max().AddHours(1);

    private DateTime Earlier => new[] { DateTime.UtcNow, service.Clock.GetUtcNow().UtcDateTime }.Min().AddHours(-1);

    private HttpClient Bearer(string token)
    {
        var http = service.ClientFor(null);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private string Token(string client, string scopes, string organisations, DateTime? expires = null, byte[]? key = null)
    {
        var claims = new Dictionary<string, object> { ["client_id"] = client, ["organisations"] = organisations };
        if (scopes.Length > 0)
        {
            claims["scope"] = scopes;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ServiceFixture.TokenIssuer,
            Audience = ServiceFixture.TokenAudience,
            Claims = claims,
            NotBefore = (expires ?? Later).AddDays(-30),
            Expires = expires ?? Later,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? service.TokenSigningKey), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(),
        });
    }
}
