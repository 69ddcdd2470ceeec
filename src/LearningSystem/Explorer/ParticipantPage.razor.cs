namespace LearningSystem.Explorer;

public partial class ParticipantPage : IPage<PersonModel>;
