namespace Ebpf.ProtocolTracing.Kafka;

/// <summary>Kafka request types by api key (https://kafka.apache.org/protocol#protocol_api_keys).</summary>
public enum KafkaApiKey : short
{
    /// <summary>Produce (api key 0).</summary>
    Produce = 0,

    /// <summary>Fetch (api key 1).</summary>
    Fetch = 1,

    /// <summary>ListOffsets (api key 2).</summary>
    ListOffsets = 2,

    /// <summary>Metadata (api key 3).</summary>
    Metadata = 3,

    /// <summary>LeaderAndIsr (api key 4).</summary>
    LeaderAndIsr = 4,

    /// <summary>StopReplica (api key 5).</summary>
    StopReplica = 5,

    /// <summary>UpdateMetadata (api key 6).</summary>
    UpdateMetadata = 6,

    /// <summary>ControlledShutdown (api key 7).</summary>
    ControlledShutdown = 7,

    /// <summary>OffsetCommit (api key 8).</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch (api key 9).</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator (api key 10).</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup (api key 11).</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat (api key 12).</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroup (api key 13).</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroup (api key 14).</summary>
    SyncGroup = 14,

    /// <summary>DescribeGroups (api key 15).</summary>
    DescribeGroups = 15,

    /// <summary>ListGroups (api key 16).</summary>
    ListGroups = 16,

    /// <summary>SaslHandshake (api key 17).</summary>
    SaslHandshake = 17,

    /// <summary>ApiVersions (api key 18).</summary>
    ApiVersions = 18,

    /// <summary>CreateTopics (api key 19).</summary>
    CreateTopics = 19,

    /// <summary>DeleteTopics (api key 20).</summary>
    DeleteTopics = 20,

    /// <summary>DeleteRecords (api key 21).</summary>
    DeleteRecords = 21,

    /// <summary>InitProducerId (api key 22).</summary>
    InitProducerId = 22,

    /// <summary>OffsetForLeaderEpoch (api key 23).</summary>
    OffsetForLeaderEpoch = 23,

    /// <summary>AddPartitionsToTxn (api key 24).</summary>
    AddPartitionsToTxn = 24,

    /// <summary>AddOffsetsToTxn (api key 25).</summary>
    AddOffsetsToTxn = 25,

    /// <summary>EndTxn (api key 26).</summary>
    EndTxn = 26,

    /// <summary>WriteTxnMarkers (api key 27).</summary>
    WriteTxnMarkers = 27,

    /// <summary>TxnOffsetCommit (api key 28).</summary>
    TxnOffsetCommit = 28,

    /// <summary>DescribeAcls (api key 29).</summary>
    DescribeAcls = 29,

    /// <summary>CreateAcls (api key 30).</summary>
    CreateAcls = 30,

    /// <summary>DeleteAcls (api key 31).</summary>
    DeleteAcls = 31,

    /// <summary>DescribeConfigs (api key 32).</summary>
    DescribeConfigs = 32,

    /// <summary>AlterConfigs (api key 33).</summary>
    AlterConfigs = 33,

    /// <summary>AlterReplicaLogDirs (api key 34).</summary>
    AlterReplicaLogDirs = 34,

    /// <summary>DescribeLogDirs (api key 35).</summary>
    DescribeLogDirs = 35,

    /// <summary>SaslAuthenticate (api key 36).</summary>
    SaslAuthenticate = 36,

    /// <summary>CreatePartitions (api key 37).</summary>
    CreatePartitions = 37,

    /// <summary>CreateDelegationToken (api key 38).</summary>
    CreateDelegationToken = 38,

    /// <summary>RenewDelegationToken (api key 39).</summary>
    RenewDelegationToken = 39,

    /// <summary>ExpireDelegationToken (api key 40).</summary>
    ExpireDelegationToken = 40,

    /// <summary>DescribeDelegationToken (api key 41).</summary>
    DescribeDelegationToken = 41,

    /// <summary>DeleteGroups (api key 42).</summary>
    DeleteGroups = 42,

    /// <summary>ElectLeaders (api key 43).</summary>
    ElectLeaders = 43,

    /// <summary>IncrementalAlterConfigs (api key 44).</summary>
    IncrementalAlterConfigs = 44,

    /// <summary>AlterPartitionReassignments (api key 45).</summary>
    AlterPartitionReassignments = 45,

    /// <summary>ListPartitionReassignments (api key 46).</summary>
    ListPartitionReassignments = 46,

    /// <summary>OffsetDelete (api key 47).</summary>
    OffsetDelete = 47,

    /// <summary>DescribeClientQuotas (api key 48).</summary>
    DescribeClientQuotas = 48,

    /// <summary>AlterClientQuotas (api key 49).</summary>
    AlterClientQuotas = 49,

    /// <summary>DescribeUserScramCredentials (api key 50).</summary>
    DescribeUserScramCredentials = 50,

    /// <summary>AlterUserScramCredentials (api key 51).</summary>
    AlterUserScramCredentials = 51,

    /// <summary>Vote (api key 52).</summary>
    Vote = 52,

    /// <summary>BeginQuorumEpoch (api key 53).</summary>
    BeginQuorumEpoch = 53,

    /// <summary>EndQuorumEpoch (api key 54).</summary>
    EndQuorumEpoch = 54,

    /// <summary>DescribeQuorum (api key 55).</summary>
    DescribeQuorum = 55,

    /// <summary>AlterPartition (api key 56).</summary>
    AlterPartition = 56,

    /// <summary>UpdateFeatures (api key 57).</summary>
    UpdateFeatures = 57,

    /// <summary>Envelope (api key 58).</summary>
    Envelope = 58,

    /// <summary>FetchSnapshot (api key 59).</summary>
    FetchSnapshot = 59,

    /// <summary>DescribeCluster (api key 60).</summary>
    DescribeCluster = 60,

    /// <summary>DescribeProducers (api key 61).</summary>
    DescribeProducers = 61,

    /// <summary>BrokerRegistration (api key 62).</summary>
    BrokerRegistration = 62,

    /// <summary>BrokerHeartbeat (api key 63).</summary>
    BrokerHeartbeat = 63,

    /// <summary>UnregisterBroker (api key 64).</summary>
    UnregisterBroker = 64,

    /// <summary>DescribeTransactions (api key 65).</summary>
    DescribeTransactions = 65,

    /// <summary>ListTransactions (api key 66).</summary>
    ListTransactions = 66,

    /// <summary>AllocateProducerIds (api key 67).</summary>
    AllocateProducerIds = 67,

    /// <summary>ConsumerGroupHeartbeat (api key 68).</summary>
    ConsumerGroupHeartbeat = 68,

    /// <summary>ConsumerGroupDescribe (api key 69).</summary>
    ConsumerGroupDescribe = 69,

    /// <summary>ControllerRegistration (api key 70).</summary>
    ControllerRegistration = 70,

    /// <summary>GetTelemetrySubscriptions (api key 71).</summary>
    GetTelemetrySubscriptions = 71,

    /// <summary>PushTelemetry (api key 72).</summary>
    PushTelemetry = 72,

    /// <summary>AssignReplicasToDirs (api key 73).</summary>
    AssignReplicasToDirs = 73,

    /// <summary>ListConfigResources (api key 74).</summary>
    ListConfigResources = 74,

    /// <summary>DescribeTopicPartitions (api key 75).</summary>
    DescribeTopicPartitions = 75,

    /// <summary>ShareGroupHeartbeat (api key 76).</summary>
    ShareGroupHeartbeat = 76,

    /// <summary>ShareGroupDescribe (api key 77).</summary>
    ShareGroupDescribe = 77,

    /// <summary>ShareFetch (api key 78).</summary>
    ShareFetch = 78,

    /// <summary>ShareAcknowledge (api key 79).</summary>
    ShareAcknowledge = 79,

    /// <summary>AddRaftVoter (api key 80).</summary>
    AddRaftVoter = 80,

    /// <summary>RemoveRaftVoter (api key 81).</summary>
    RemoveRaftVoter = 81,

    /// <summary>UpdateRaftVoter (api key 82).</summary>
    UpdateRaftVoter = 82,

    /// <summary>InitializeShareGroupState (api key 83).</summary>
    InitializeShareGroupState = 83,

    /// <summary>ReadShareGroupState (api key 84).</summary>
    ReadShareGroupState = 84,

    /// <summary>WriteShareGroupState (api key 85).</summary>
    WriteShareGroupState = 85,

    /// <summary>DeleteShareGroupState (api key 86).</summary>
    DeleteShareGroupState = 86,

    /// <summary>ReadShareGroupStateSummary (api key 87).</summary>
    ReadShareGroupStateSummary = 87,

    /// <summary>StreamsGroupHeartbeat (api key 88).</summary>
    StreamsGroupHeartbeat = 88,

    /// <summary>StreamsGroupDescribe (api key 89).</summary>
    StreamsGroupDescribe = 89,

    /// <summary>DescribeShareGroupOffsets (api key 90).</summary>
    DescribeShareGroupOffsets = 90,

    /// <summary>AlterShareGroupOffsets (api key 91).</summary>
    AlterShareGroupOffsets = 91,

    /// <summary>DeleteShareGroupOffsets (api key 92).</summary>
    DeleteShareGroupOffsets = 92,
}
