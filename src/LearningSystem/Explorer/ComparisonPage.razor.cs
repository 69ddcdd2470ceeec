namespace LearningSystem.Explorer;

public partial class ComparisonPage : IPage<ComparisonModel>;
