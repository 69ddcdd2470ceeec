namespace LearningSystem.Explorer;

public partial class StakeholderGroupPage : IPage<GroupModel>;
