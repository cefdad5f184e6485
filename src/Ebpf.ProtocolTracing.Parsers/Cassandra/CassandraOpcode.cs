namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>CQL native protocol message types (native_protocol_v4.spec, section 2.4).</summary>
public enum CassandraOpcode : byte
{
    /// <summary>ERROR: an error code and message.</summary>
    Error = 0x00,

    /// <summary>STARTUP: the connection's options (CQL version, compression).</summary>
    Startup = 0x01,

    /// <summary>READY: the server accepts the STARTUP.</summary>
    Ready = 0x02,

    /// <summary>AUTHENTICATE: the server asks for authentication, naming its authenticator.</summary>
    Authenticate = 0x03,

    /// <summary>OPTIONS: asks which STARTUP options the server supports.</summary>
    Options = 0x05,

    /// <summary>SUPPORTED: the answer to OPTIONS.</summary>
    Supported = 0x06,

    /// <summary>QUERY: a CQL statement to run.</summary>
    Query = 0x07,

    /// <summary>RESULT: the outcome of QUERY, PREPARE, EXECUTE or BATCH.</summary>
    Result = 0x08,

    /// <summary>PREPARE: a statement to prepare.</summary>
    Prepare = 0x09,

    /// <summary>EXECUTE: runs a prepared statement by id.</summary>
    Execute = 0x0A,

    /// <summary>REGISTER: subscribes to server events.</summary>
    Register = 0x0B,

    /// <summary>EVENT: a server push (topology, status or schema change).</summary>
    Event = 0x0C,

    /// <summary>BATCH: several statements applied together.</summary>
    Batch = 0x0D,

    /// <summary>AUTH_CHALLENGE: a SASL challenge from the server.</summary>
    AuthChallenge = 0x0E,

    /// <summary>AUTH_RESPONSE: a SASL token from the client (credentials; never decoded).</summary>
    AuthResponse = 0x0F,

    /// <summary>AUTH_SUCCESS: authentication succeeded.</summary>
    AuthSuccess = 0x10,
}
