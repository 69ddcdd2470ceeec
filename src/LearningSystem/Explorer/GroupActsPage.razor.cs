namespace LearningSystem.Explorer;

public partial class GroupActsPage : IPage<GroupActsModel>;
