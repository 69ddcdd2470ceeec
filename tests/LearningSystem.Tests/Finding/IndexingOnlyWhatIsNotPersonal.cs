using LearningSystem.Composition;
using LearningSystem.Finding;

namespace LearningSystem.Tests.Finding;

/// <summary>Search indexes only text the personal-data register calls not personal, so an erasure never leaves words behind in an index.</summary>
public sealed class IndexingOnlyWhatIsNotPersonal
{
    [Fact]
    public void Every_field_search_indexes_is_declared_not_personal_for_its_view()
    {
        var schema = PersonalFields.Schema;
        Assert.NotEmpty(FindingModule.Searchable);
        foreach (var searchable in FindingModule.Searchable)
        {
            foreach (var path in searchable.Paths)
            {
                var top = path.Split('.')[0];
                var field = char.ToUpperInvariant(top[0]) + top[1..];
                Assert.DoesNotContain(schema.FieldsOf(searchable.View), f => f.Name == field);
                if (!path.Contains('.', StringComparison.Ordinal))
                {
                    Assert.True(schema.IsClassified(searchable.View, field), $"{searchable.View.Name}.{field} is indexed for search but the register does not classify it.");
                }
            }
        }
    }
}
