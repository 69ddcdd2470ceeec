using LearningSystem.Explorer;
using LearningSystem.Explorer.Pictures;

namespace LearningSystem.Tests.Explorer;

/// <summary>The explorer's pure parts: wording differences, graph layers and labels.</summary>
public sealed class DrawingPictures
{
    [Fact]
    public void A_wording_is_marked_word_by_word_against_the_one_before()
    {
        var parts = ProposalPage.Diff("Tell patients how long they will wait", "Tell patients on arrival how long they wait");

        Assert.Equal(
            [new DiffPart("Tell patients", 0), new DiffPart("on arrival", 1), new DiffPart("how long they", 0), new DiffPart("will", -1), new DiffPart("wait", 0)],
            parts);
        Assert.Equal([new DiffPart("First wording", 1)], ProposalPage.Diff("", "First wording"));
    }

    [Fact]
    public void Each_node_sits_one_layer_right_of_its_furthest_cause_so_every_edge_runs_rightwards()
    {
        GraphEdge[] edges = [new("feedback", "priority", "evidenceFor"), new("priority", "redesign", "justified"), new("feedback", "redesign", "evidenceFor"), new("redesign", "lesson", "taught")];

        var depth = Layered.Depths(["lesson", "redesign", "priority", "feedback", "alone"], edges);

        Assert.Equal(0, depth["feedback"]);
        Assert.Equal(1, depth["priority"]);
        Assert.Equal(2, depth["redesign"]);
        Assert.Equal(3, depth["lesson"]);
        Assert.Equal(0, depth["alone"]);
        Assert.All(edges, e => Assert.True(depth[e.To] > depth[e.From]));
    }

    [Fact]
    public void A_cycle_still_gets_layers_and_the_drawing_ends()
    {
        var depth = Layered.Depths(["a", "b"], [new("a", "b", "x"), new("b", "a", "y")]);

        Assert.Equal(2, depth.Count);
    }

    [Fact]
    public void Labels_are_cut_at_whole_words_so_what_shows_is_part_of_the_accessible_name()
    {
        const string label = "Feedback: Outpatient Diabetes Clinic, rated poor";

        var shown = Layered.Clip(label);

        Assert.True(Layered.Clipped(label));
        Assert.Equal("Feedback: Outpatient", shown);
        Assert.StartsWith(shown, label, StringComparison.Ordinal);
        Assert.Equal("Short label", Layered.Clip("Short \n label"));
    }

    [Fact]
    public void Columns_are_placed_in_layer_order_and_rows_in_the_order_given()
    {
        var (placed, width, height) = Layered.Place([new GraphNode("b", "B", 3, "k"), new GraphNode("a", "A", 1, "k"), new GraphNode("c", "C", 3, "k")]);

        var at = placed.ToDictionary(p => p.Node.Id);
        Assert.True(at["a"].X < at["b"].X);
        Assert.Equal(at["b"].X, at["c"].X);
        Assert.True(at["b"].Y < at["c"].Y);
        Assert.True(width >= at["b"].X + Layered.NodeWidth);
        Assert.True(height >= at["c"].Y + Layered.NodeHeight);
    }
}
