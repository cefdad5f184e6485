namespace Ebpf.ProtocolTracing.MySql;

/// <summary>An <c>ERR_Packet</c> (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html).</summary>
/// <param name="Code">The server error number, e.g. 1146 (table does not exist).</param>
/// <param name="SqlState">The five-character SQLSTATE, e.g. <c>42S02</c>; <see langword="null"/> when the server sent none.</param>
/// <param name="Message">The human-readable message (cut at <see cref="MySqlParserOptions.MaxTextLength"/>).</param>
public sealed record MySqlError(int Code, string? SqlState, string Message);
