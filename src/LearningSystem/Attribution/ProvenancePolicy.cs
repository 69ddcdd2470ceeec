using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;

namespace LearningSystem.Attribution;

/// <summary>Adds the provenance stamps to every endpoint that changes state.</summary>
public sealed class ProvenancePolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HttpMethods.Any(m => m is not ("GET" or "HEAD"))))
        {
            chain.Middleware.Add(new MethodCall(typeof(WhoActed), nameof(WhoActed.Stamp)));
            if (chain.HasRequestType && chain.RequestType!.IsAssignableTo(typeof(IActedBy)))
            {
                var stampActor = typeof(WhoActed).GetMethod(nameof(WhoActed.StampActor))!.MakeGenericMethod(chain.RequestType);
                chain.Middleware.Add(new MethodCall(typeof(WhoActed), stampActor));
            }
        }
    }
}
