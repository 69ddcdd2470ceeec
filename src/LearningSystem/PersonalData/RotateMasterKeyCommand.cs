using JasperFx.CommandLine;
using Marten;

namespace LearningSystem.PersonalData;

/// <summary>
/// <c>dotnet run --project src/LearningSystem -- rotate-master-key</c>: after a new master key is configured as
/// active (keeping the old one configured), re-wraps every subject key under it. No event is touched.
/// </summary>
[Description("Re-wraps every data subject's key under the active master key", Name = "rotate-master-key")]
public sealed class RotateMasterKeyCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var rotation = host.Services.GetRequiredService<MasterKeyRotation>();
        var active = host.Services.GetRequiredService<MasterKeyRing>().ActiveId;
        var rewrapped = await rotation.RotateAsync(host.Services.GetRequiredService<IDocumentStore>());
        Console.WriteLine($"Re-wrapped {rewrapped} data subject keys under master key '{active}'.");
        return true;
    }
}
