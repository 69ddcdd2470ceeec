namespace LearningSystem.Tests.Architecture;

/// <summary>The rooms depend on each other only as docs/architecture.md draws it, and the drawing is no wider than the code.</summary>
public sealed class KeepingRoomsApart
{
    private static readonly string Service = typeof(LearningSystem.Http.Api).Assembly.Location;

    private static RoomDiagram Diagram => RoomDiagram.Read(File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md")));

    [Fact]
    public void Every_room_uses_only_the_rooms_the_architecture_diagram_allows_and_every_arrow_drawn_is_used()
    {
        var departures = Diagram.Departures(Rooms.DependenciesOf(Service));

        Assert.True(departures.Count == 0, string.Join('\n', departures));
    }

    [Fact]
    public void A_planted_dependency_the_diagram_does_not_allow_is_reported_with_the_type_that_makes_it()
    {
        var found = Rooms.DependenciesOf(Service).Append(new Rooms.Dependency("Participants", "Explorer", "LearningSystem.Participants.Planted uses LearningSystem.Explorer.Href")).ToArray();

        var departures = Diagram.Departures(found);

        Assert.Equal(["Participants may not use Explorer: LearningSystem.Participants.Planted uses LearningSystem.Explorer.Href."], departures);
    }

    [Fact]
    public void A_dependency_made_only_inside_a_method_body_is_found()
    {
        // Http uses Organisations only inside method bodies: the header check in UseApi, IsMoving in the problem handler.
        Assert.Contains(Rooms.DependenciesOf(Service), d => d is { From: "Http", To: "Organisations" });
    }

    [Fact]
    public void Other_rooms_use_only_the_organisations_public_face()
    {
        Assert.Empty(Rooms.UsesOfInsides(Service, "Organisations"));
    }
}
