namespace LearningSystem.Tests.Http;

[Collection(ServiceGroup.Name)]
public sealed class DescribingTheApi(ServiceFixture service)
{
    [Theory]
    [InlineData("/api/participants", "post", "registerParticipant")]
    [InlineData("/api/participants/{id}", "get", "getParticipant")]
    [InlineData("/api/patient-feedback", "post", "recordPatientFeedback")]
    [InlineData("/api/patient-feedback/{id}", "get", "getPatientFeedback")]
    [InlineData("/api/service-redesigns", "post", "proposeServiceRedesign")]
    [InlineData("/api/service-redesigns/{id}", "get", "getServiceRedesign")]
    [InlineData("/api/streams/{id}/events", "get", "readStreamEvents")]
    public async Task The_openapi_document_names_every_operation(string path, string method, string operationId)
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
        Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
    }

    [Theory]
    [InlineData("/api/participants", "201", "400", "415", "413")]
    [InlineData("/api/service-redesigns", "201", "400", "404")]
    public async Task Commands_document_their_answers(string path, params string[] statuses)
    {
        var document = await service.Host.GetJsonAsync("/openapi/v1.json");

        var responses = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("responses");
        foreach (var status in statuses)
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{path} should document {status}");
        }
    }
}
