using Marten;

namespace LearningSystem.Http.Idempotency;

public static class IdempotencyModule
{
    public static StoreOptions AddIdempotency(this StoreOptions options)
    {
        options.Schema.For<IdempotentRequest>().Metadata(m => m.DisableInformationalFields());
        options.Listeners.Add(new AnswerWithTheCommand());
        return options;
    }

    public static void AddIdempotency(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddHostedService<ExpiredKeyCleaner>();
    }
}
