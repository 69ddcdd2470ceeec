using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Model;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace LearningSystem.Tests.Http;

/// <summary>
/// The service runs the handler and endpoint code checked in under src/LearningSystem/Internal/Generated, not
/// code compiled at start-up. That code must be what Wolverine would generate from today's endpoints and policies.
/// </summary>
[Collection(ServiceGroup.Name)]
public sealed class RunningGeneratedCode(ServiceFixture service)
{
    private const string Regenerate = "rm -rf src/LearningSystem/Internal/Generated && dotnet run --project src/LearningSystem -- codegen write";

    [Fact]
    public void The_service_loads_its_generated_code_instead_of_compiling_it()
    {
        var rules = service.Host.Services.GetRequiredService<WolverineOptions>().CodeGeneration;

        Assert.Equal(TypeLoadMode.Static, rules.TypeLoadMode);
        // The service cannot compile: it does not reference Roslyn. (The tests do, for the generated-client contract.)
        var code = typeof(LearningSystem.Http.Api).Assembly;
        Assert.DoesNotContain(code.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.Contains(code.GetTypes(), t => t.Namespace?.StartsWith("Internal.Generated", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void The_checked_in_generated_code_is_what_the_endpoints_and_policies_generate_now()
    {
        var committed = Path.Combine(Repository.Root, "src", "LearningSystem", "Internal", "Generated");
        var fresh = Directory.CreateTempSubdirectory("generated-").FullName;
        var collections = service.Host.Services.GetServices<ICodeFileCollection>().ToArray();
        var outputPaths = collections.Select(c => c.Rules.GeneratedCodeOutputPath).ToArray();
        try
        {
            // The same writer `codegen write` uses, pointed at a scratch folder instead of the source tree.
            foreach (var collection in collections)
            {
                collection.Rules.GeneratedCodeOutputPath = fresh;
            }

            new DynamicCodeBuilder(service.Host.Services, collections)
            {
                ServiceVariableSource = service.Host.Services.GetService<IServiceVariableSource>(),
            }.WriteGeneratedCode(_ => { });

            var expected = Files(fresh);
            var actual = Files(committed);
            Assert.True(expected.Keys.Order().SequenceEqual(actual.Keys.Order()),
                $"Generated files differ; run `{Regenerate}`. Missing: {string.Join(", ", expected.Keys.Except(actual.Keys))}. Stale: {string.Join(", ", actual.Keys.Except(expected.Keys))}.");
            var changed = expected.Where(f => f.Value != actual[f.Key]).Select(f => f.Key).ToArray();
            Assert.True(changed.Length == 0, $"Generated code is out of date in {string.Join(", ", changed)}; run `{Regenerate}`.");
        }
        finally
        {
            for (var i = 0; i < collections.Length; i++)
            {
                collections[i].Rules.GeneratedCodeOutputPath = outputPaths[i];
            }

            Directory.Delete(fresh, recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string folder) => Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings());
}
