// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The part of EmethToken the core needs: ERC-20 plus minting of slot rewards.
interface IEmethToken is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @title EmethCore: the project's stand-in for the Emeth network's job market.
/// @notice Exposes exactly the interface of the EmethCore the network runs (same functions, argument
/// and output types and order, same constructor, same events; `contracts/src/main/abi/
/// EmethCore.network.json` is that interface and `ContractAbiTest` holds this file to it) and
/// behaves like it on every path the node can observe. The differences that remain are listed
/// in docs/architecture.md ("The dev contract and the network's"): each one only gives a revert
/// the network's contract also makes a readable reason.
///
/// Lifecycle (status codes are part of the node's interface and never change):
///   REQUESTED --cancel--> CANCELED                       (emits only Cancel)
///   REQUESTED --process--> PROCESSING --decline--> DECLINED
///                                     --timeout--> TIMEOUT            (verifier)
///                                     --submit---> SUBMITTED --verify-------> VERIFIED
///                                                            --rejectResult-> FAILED
/// Neither `request`, `process`, `submit` nor `timeout` looks at the deadline, and `request`
/// accepts any fee and data set: a node must refuse what it cannot finish or be paid for.
///
/// Money: the fee stays here from `request` until the job settles, the deposit from `process`.
/// `verify` pays VERIFIER_FEE to the verifier and the rest of the fee to the node, and keeps the
/// deposit; `decline`, `timeout` and `rejectResult` refund the fee and return the deposit less
/// the penalty (nothing when the penalty reaches the deposit). Penalties stay in this contract.
contract EmethCore {
    // ---- status codes (internal: a public TIMEOUT getter would clash with timeout() in the
    // generated Java wrapper, whose method-name constants are upper-cased) ----
    uint256 internal constant REQUESTED = 0;
    uint256 internal constant ASSIGNED = 1; // kept for compatibility with the original; never set
    uint256 internal constant PROCESSING = 2;
    uint256 internal constant SUBMITTED = 3;
    uint256 internal constant VERIFIED = 4;
    uint256 internal constant REJECTED = 5; // kept for compatibility; rejectResult sets FAILED
    uint256 internal constant CANCELED = 6;
    uint256 internal constant TIMEOUT = 7;
    uint256 internal constant FAILED = 8;
    uint256 internal constant DECLINED = 9;

    uint256 internal constant RATE_DENOMINATOR = 100000;
    uint256 internal constant SLOT_INTERVAL = 24 hours;
    uint256 internal constant BASE_SLOT_REWARD = 12000 * 24 ether;
    uint256 internal constant DECREMENT_PER_SLOT = uint256(600 * 24 ether) / 365; // floored to wei

    // ---- rates (parts of 100,000) and amounts: public variables, as on the network, where the
    // node reads them from the chain rather than assuming these values ----
    uint256 public DEPOSIT_RATE = 100000; // the deposit equals the fee
    uint256 public DECLINE_PENALTY_RATE = 10000; // 10 % of the fee
    uint256 public TIMEOUT_PENALTY_RATE = 10000; // 10 % of the fee
    uint256 public FAILED_PENALTY_RATE = 100000; // 100 % of the fee, plus VERIFIER_FEE
    uint256 public MAX_SLOT_GAS_PER_NODE = 9000;
    uint256 public VERIFIER_FEE = 10 ether; // 10 EMT

    // ---- state ----------------------------------------------------------------------------------
    /// @notice Field order is the ABI of `jobs(jobId)`.
    struct Job {
        bool exist;
        bytes16 jobId;
        address owner;
        uint256 deadline;
        uint256 fee;
        uint256 status;
        uint256 requestedAt;
    }

    /// @notice Field order is the ABI of `jobDetails(jobId)`: programId, param, dataset, result.
    struct JobDetail {
        uint256 programId;
        string param;
        string dataset;
        string result;
    }

    /// @notice Field order is the ABI of `jobAssigns(jobId)`:
    /// node, deposit, gas, startedAt, submittedAt, verifiedAt (never set, as on the network).
    struct JobAssign {
        address node;
        uint256 deposit;
        uint256 gas;
        uint256 startedAt;
        uint256 submittedAt;
        uint256 verifiedAt;
    }

    IEmethToken public immutable emtToken;
    /// @notice The slot (absolute day number) of the deployment; slot rewards decrease from it.
    uint256 public immutable startSlot;
    address public verifier;

    mapping(bytes16 => Job) public jobs;
    mapping(bytes16 => JobDetail) public jobDetails;
    mapping(bytes16 => JobAssign) public jobAssigns;
    bytes16[] public jobIndexes;

    mapping(uint256 => uint256) private slotTotalGas;
    /// @notice Gas a node earned in a slot (capped at MAX_SLOT_GAS_PER_NODE).
    mapping(uint256 => mapping(address => uint256)) public slotGas;
    /// @notice Like slotGas until the node withdraws the slot's reward, then 0.
    mapping(uint256 => mapping(address => uint256)) public slotBalances;
    /// @notice The slots in which a node earned gas, in order; `nodeSlotCount` gives the length.
    mapping(address => uint256[]) public nodeSlots;
    mapping(address => mapping(uint256 => bool)) public nodeSlotUnique;

    // ---- events (the node's interface) ----------------------------------------------------------
    event Request(address indexed owner, bytes16 indexed jobId, uint256 fee, uint256 deadline);
    event Status(bytes16 indexed jobId, address nodeAddress, uint256 status);
    event Cancel(bytes16 indexed jobId);
    event Reward(address indexed nodeAddress, uint256 slot, uint256 gas);
    /// @notice Declared as on the network, which never emits it either.
    event Penalty(address indexed nodeAddress, uint256 slashed);

    modifier onlyVerifier() {
        require(isVerifier(msg.sender), "caller is not the verifier");
        _;
    }

    /// @notice The deployer becomes the verifier; `setVerifier` hands the role on.
    constructor(address tokenAddress) {
        emtToken = IEmethToken(tokenAddress);
        verifier = msg.sender;
        startSlot = block.timestamp / SLOT_INTERVAL;
    }

    function isVerifier(address account) public view returns (bool) {
        return account == verifier;
    }

    function setVerifier(address account) public onlyVerifier {
        verifier = account;
    }

    // ---- requester ------------------------------------------------------------------------------

    /// @notice Posts a job and escrows its fee (the caller must have approved `fee` to this
    /// contract). Neither the deadline, the data set nor the fee's size is checked.
    function request(
        bytes16 jobId,
        uint256 programId,
        string calldata dataset,
        string calldata param,
        uint256 fee,
        uint256 deadline
    ) external returns (bool) {
        require(!jobs[jobId].exist, "job id already used");
        _pull(msg.sender, fee, "fee");
        jobs[jobId] = Job(true, jobId, msg.sender, deadline, fee, REQUESTED, block.timestamp);
        jobDetails[jobId] = JobDetail(programId, param, dataset, "");
        jobIndexes.push(jobId);
        emit Request(msg.sender, jobId, fee, deadline);
        return true;
    }

    /// @notice Withdraws a job nobody took yet and refunds its fee. Emits only `Cancel`.
    function cancel(bytes16 jobId) external returns (bool) {
        Job storage job = jobs[jobId];
        require(job.owner == msg.sender, "caller is not the job owner");
        require(job.exist, "job does not exist");
        require(job.status == REQUESTED, "job not REQUESTED");
        job.status = CANCELED;
        _push(msg.sender, job.fee);
        emit Cancel(jobId);
        return true;
    }

    // ---- node -----------------------------------------------------------------------------------

    /// @notice Takes a job; pulls the deposit (approve fee × DEPOSIT_RATE / 100000 first).
    function process(bytes16 jobId) external returns (bool) {
        Job storage job = _job(jobId);
        require(job.status == REQUESTED, "job not REQUESTED");
        uint256 deposit = (job.fee * DEPOSIT_RATE) / RATE_DENOMINATOR;
        _pull(msg.sender, deposit, "deposit");
        job.status = PROCESSING;
        JobAssign storage assign = jobAssigns[jobId];
        assign.node = msg.sender;
        assign.deposit = deposit;
        assign.startedAt = block.timestamp;
        emit Status(jobId, msg.sender, PROCESSING);
        return true;
    }

    /// @notice Gives a job up: the requester gets the fee back, the node its deposit less
    /// DECLINE_PENALTY_RATE of the fee.
    function decline(bytes16 jobId) external returns (bool) {
        _onlyAssignedNode(jobId);
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        job.status = DECLINED;
        _refund(jobId, (job.fee * DECLINE_PENALTY_RATE) / RATE_DENOMINATOR);
        emit Status(jobId, msg.sender, DECLINED);
        return true;
    }

    /// @notice Hands in the result (the storage file name of the trained model).
    function submit(bytes16 jobId, string calldata result) external returns (bool) {
        _onlyAssignedNode(jobId);
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        job.status = SUBMITTED;
        jobDetails[jobId].result = result;
        jobAssigns[jobId].submittedAt = block.timestamp;
        emit Status(jobId, msg.sender, SUBMITTED);
        return true;
    }

    /// @notice Mints the caller's share of a closed slot's reward; its slotBalances becomes 0.
    function withdrawSlotReward(uint256 slot) external returns (bool) {
        require(slot < currentSlot(), "slot not closed");
        uint256 balance = slotBalances[slot][msg.sender];
        require(balance > 0, "slot reward is empty");
        uint256 reward = (_slotReward(slot) * balance) / slotTotalGas[slot];
        slotBalances[slot][msg.sender] = 0;
        emtToken.mint(msg.sender, reward);
        return true;
    }

    // ---- verifier -------------------------------------------------------------------------------

    /// @notice Accepts a result: pays the verifier VERIFIER_FEE and the node the rest of the fee
    /// (the deposit stays here), and credits the job's gas to the node in the current slot.
    function verify(bytes16 jobId, uint256 gas) external onlyVerifier returns (bool) {
        Job storage job = _job(jobId);
        require(job.status == SUBMITTED, "job not SUBMITTED");
        // the network's contract reverts here too (an underflow); this names the cause
        require(job.fee >= VERIFIER_FEE, "fee below VERIFIER_FEE");
        JobAssign storage assign = jobAssigns[jobId];
        job.status = VERIFIED;
        assign.gas = gas;
        uint256 slot = _creditGas(assign.node, gas);
        _push(verifier, VERIFIER_FEE);
        _push(assign.node, job.fee - VERIFIER_FEE);
        emit Status(jobId, assign.node, VERIFIED);
        emit Reward(assign.node, slot, gas);
        return true;
    }

    /// @notice Ends a job its node did not finish: the requester gets the fee back, the node its
    /// deposit less TIMEOUT_PENALTY_RATE of the fee.
    function timeout(bytes16 jobId) external onlyVerifier returns (bool) {
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        job.status = TIMEOUT;
        _refund(jobId, (job.fee * TIMEOUT_PENALTY_RATE) / RATE_DENOMINATOR);
        emit Status(jobId, jobAssigns[jobId].node, TIMEOUT);
        return true;
    }

    /// @notice Refuses a result: status FAILED, the requester gets the fee back, the node its
    /// deposit less FAILED_PENALTY_RATE of the fee plus VERIFIER_FEE.
    function rejectResult(bytes16 jobId) external onlyVerifier returns (bool) {
        Job storage job = _job(jobId);
        require(job.status == SUBMITTED, "job not SUBMITTED");
        job.status = FAILED;
        _refund(jobId, (job.fee * FAILED_PENALTY_RATE) / RATE_DENOMINATOR + VERIFIER_FEE);
        emit Status(jobId, jobAssigns[jobId].node, FAILED);
        return true;
    }

    // ---- views ----------------------------------------------------------------------------------

    /// @notice The network's estimate: data set size in MB × program complexity / 1000.
    function getEstimatedGas(uint256 sizeMB, uint256 complexity) external pure returns (uint256) {
        return (sizeMB * complexity) / 1000;
    }

    /// @notice The reward slot `block.timestamp` falls in: the absolute day number.
    function currentSlot() public view returns (uint256) {
        return block.timestamp / SLOT_INTERVAL;
    }

    function currentSlotReward() external view returns (uint256) {
        return _slotReward(currentSlot());
    }

    /// @notice A slot's credited gas and the EMT (wei) it mints.
    function slots(uint256 slot) external view returns (uint256 totalGas, uint256 totalReward) {
        return (slotTotalGas[slot], _slotReward(slot));
    }

    function nodeSlotCount(address node) external view returns (uint256) {
        return nodeSlots[node].length;
    }

    // ---- internals ------------------------------------------------------------------------------

    function _job(bytes16 jobId) private view returns (Job storage job) {
        job = jobs[jobId];
        require(job.exist, "job does not exist");
    }

    function _onlyAssignedNode(bytes16 jobId) private view {
        require(jobAssigns[jobId].node == msg.sender, "caller is not the job's node");
    }

    /// BASE_SLOT_REWARD less DECREMENT_PER_SLOT per slot since startSlot, never below zero.
    function _slotReward(uint256 slot) private view returns (uint256) {
        // the network's contract reverts here too (an underflow); this names the cause
        require(slot >= startSlot, "slot before startSlot");
        uint256 decrement = (slot - startSlot) * DECREMENT_PER_SLOT;
        return decrement < BASE_SLOT_REWARD ? BASE_SLOT_REWARD - decrement : 0;
    }

    /// Credits at most what keeps the node at MAX_SLOT_GAS_PER_NODE in the current slot.
    function _creditGas(address node, uint256 gas) private returns (uint256 slot) {
        slot = currentSlot();
        uint256 held = slotGas[slot][node];
        uint256 room = held >= MAX_SLOT_GAS_PER_NODE ? 0 : MAX_SLOT_GAS_PER_NODE - held;
        uint256 credited = gas < room ? gas : room;
        slotTotalGas[slot] += credited;
        slotGas[slot][node] = held + credited;
        slotBalances[slot][node] += credited;
        if (!nodeSlotUnique[node][slot]) {
            nodeSlotUnique[node][slot] = true;
            nodeSlots[node].push(slot);
        }
    }

    /// Refunds the requester's fee and returns the node's deposit less `penalty` (nothing when
    /// the penalty reaches the deposit); the penalty stays here.
    function _refund(bytes16 jobId, uint256 penalty) private {
        Job storage job = jobs[jobId];
        JobAssign storage assign = jobAssigns[jobId];
        _push(job.owner, job.fee);
        if (penalty < assign.deposit) {
            _push(assign.node, assign.deposit - penalty);
        }
    }

    /// transferFrom with reasons an operator can act on (the ERC-20's own errors are opaque codes).
    function _pull(address from, uint256 amount, string memory what) private {
        require(emtToken.balanceOf(from) >= amount, string.concat("EMT balance below ", what));
        require(
            emtToken.allowance(from, address(this)) >= amount,
            string.concat("EMT allowance below ", what, ": approve EmethCore first")
        );
        require(emtToken.transferFrom(from, address(this), amount), "EMT transferFrom failed");
    }

    function _push(address to, uint256 amount) private {
        if (amount > 0) {
            require(emtToken.transfer(to, amount), "EMT transfer failed");
        }
    }
}
