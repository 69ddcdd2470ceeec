using JasperFx;
using LearningSystem.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddApi();
await builder.AddEventStoreAsync();

var app = builder.Build();
app.UseApi();
return await app.RunJasperFxCommands(args);

/// <summary>Visible to the tests, which host the service in memory.</summary>
public partial class Program;
