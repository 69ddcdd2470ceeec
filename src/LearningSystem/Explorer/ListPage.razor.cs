namespace LearningSystem.Explorer;

/// <summary>A filter of a list page: a select when it has options, else an input of its type; its value as asked.</summary>
public sealed record ListFilter(string Name, string Label, string Type, string? Value, IReadOnlyList<string>? Options = null);

/// <summary>A table cell: text, and where it links.</summary>
public sealed record Cell(string Text, string? Href = null);

/// <summary>
/// A list as the explorer shows it: the form (the API's own filter names, so a page's query is the API's), the order,
/// the rows, the next page (the API's Link header) and the CSV download of the same list.
/// </summary>
public sealed record ListModel(
    string Title, string Action, IReadOnlyList<ListFilter> Filters, IReadOnlyList<(string Value, string Label)> Sorts, string Sort,
    IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<Cell>> Rows, string? Next, string? Csv, string? Notice = null);

public partial class ListPage : IPage<ListModel>;
