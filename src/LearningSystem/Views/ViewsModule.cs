using Marten;

namespace LearningSystem.Views;

public static class ViewsModule
{
    /// <summary>Last: view compression runs once every room's document tables have been made.</summary>
    public static StoreOptions AddViews(this StoreOptions options)
    {
        options.Storage.Add(new ViewCompression(options));
        return options;
    }
}
