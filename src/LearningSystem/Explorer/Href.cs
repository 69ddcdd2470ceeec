using LearningSystem.Negotiating;

namespace LearningSystem.Explorer;

/// <summary>Every address the explorer links or redirects to, built in one place, so that no page makes up a path of its own.</summary>
public static class Href
{
    public static string Organisation => ExplorerModule.Root;

    public static string Stylesheet => $"{ExplorerModule.Root}/explorer.css";

    /// <summary>A proposal's page; <paramref name="kind"/> is one of <see cref="Moves.Kinds"/>.</summary>
    public static string Proposal(string kind, Guid id) => $"{ExplorerModule.Root}/{kind}/{id}";

    public static string Proposal(string kind, Guid id, long version) => $"{Proposal(kind, id)}?version={version}";

    public static string Priority(Guid id) => Proposal(Moves.Priorities, id);

    public static string ServiceRedesign(Guid id) => Proposal(Moves.ServiceRedesigns, id);

    public static string CurriculumChange(Guid id) => Proposal(Moves.CurriculumChanges, id);

    public static string Decision(Guid id) => $"{ExplorerModule.Root}/decisions/{id}";

    public static string Round(Guid id) => $"{ExplorerModule.Root}/rounds/{id}";

    /// <summary>The learning loop around an item; lineage ids are the item's id, or a step's id within it.</summary>
    public static string Lineage(object id) => $"{ExplorerModule.Root}/lineage/{id}";

    public static string Audit(bool verifyNow = false) => verifyNow ? $"{ExplorerModule.Root}/audit?verify=now" : $"{ExplorerModule.Root}/audit";

    /// <summary>Where the sign-in form is shown and posted.</summary>
    public static string SignInForm => SignInPath;

    public static string SignIn(string returnTo) => $"{SignInPath}?returnTo={Uri.EscapeDataString(returnTo)}";

    public static string SignInRefused(string reason) => $"{SignInPath}?refused={reason}";

    public static string SignInWithProvider => $"{SignInPath}/provider";

    public static string SignedIn(string returnTo) => $"{ExplorerModule.Root}/signed-in?returnTo={Uri.EscapeDataString(returnTo)}";

    public static string SignOut => $"{ExplorerModule.Root}/sign-out";

    private static string SignInPath => $"{ExplorerModule.Root}/sign-in";
}
