// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The one EmethCore function this reader calls (the network's unchanged ABI).
interface IJobDetails {
    function jobDetails(bytes16 jobId)
        external
        view
        returns (uint256 programId, string memory param, string memory dataset, string memory result);
}

/// @title JobDetailsBatch: `jobDetails` of many jobs in one `eth_call`, for the indexer's backfill.
/// @notice Never deployed. The indexer's `eth_call` of `read` places this contract's runtime code
/// at an unused address by a state override (the call's third parameter), so EmethCore itself is
/// unchanged. `read` calls `core.jobDetails(id)` for every id and answers per job whether the call
/// succeeded and the bytes it returned: exactly what a separate `eth_call` of `jobDetails(id)`
/// would have answered. A node without state overrides answers no code (or an error), and the
/// indexer falls back to one `eth_call` per job.
contract JobDetailsBatch {
    function read(address core, bytes16[] calldata jobIds)
        external
        view
        returns (bool[] memory ok, bytes[] memory answers)
    {
        uint256 n = jobIds.length;
        ok = new bool[](n);
        answers = new bytes[](n);
        for (uint256 i = 0; i < n; i++) {
            (ok[i], answers[i]) = core.staticcall(abi.encodeCall(IJobDetails.jobDetails, (jobIds[i])));
        }
    }
}
