// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice The part of EmethToken the core needs: ERC-20 plus minting of slot rewards.
interface IEmethToken is IERC20 {
    function mint(address to, uint256 amount) external;
}

/// @title EmethCore: the job market of the Emeth network.
/// @notice A requester escrows a fee in EMT for a training job; a node takes the job by staking a
/// deposit, submits the result, and a verifier settles it. Verified work earns the node a share of
/// the EMT minted for each 24-hour reward slot.
///
/// Lifecycle (status codes are part of the node's interface and never change):
///   REQUESTED --cancel--> CANCELED
///   REQUESTED --process--> PROCESSING --decline--> DECLINED
///                                     --timeout--> TIMEOUT            (verifier, after the deadline)
///                                     --submit---> SUBMITTED --verify-------> VERIFIED
///                                                            --rejectResult-> REJECTED
///                                                            --failResult---> FAILED
/// Every change after the request emits `Status`; `request` emits `Request`, `cancel` also `Cancel`.
///
/// Money: the fee stays in this contract from `request` until the job settles; the deposit from
/// `process` until then. Penalties are kept by this contract (counted in `collectedPenalties`).
contract EmethCore is Ownable {
    // ---- status codes (internal: a public TIMEOUT getter would clash with timeout() in the
    // generated Java wrapper, whose method-name constants are upper-cased) ----
    uint256 internal constant REQUESTED = 0;
    uint256 internal constant ASSIGNED = 1; // kept for compatibility with the original; never set
    uint256 internal constant PROCESSING = 2;
    uint256 internal constant SUBMITTED = 3;
    uint256 internal constant VERIFIED = 4;
    uint256 internal constant REJECTED = 5;
    uint256 internal constant CANCELED = 6;
    uint256 internal constant TIMEOUT = 7;
    uint256 internal constant FAILED = 8;
    uint256 internal constant DECLINED = 9;

    // ---- rates, in parts of RATE_DENOMINATOR ----------------------------------------------------
    uint256 public constant RATE_DENOMINATOR = 100000;
    uint256 public constant DEPOSIT_RATE = 100000; // the deposit equals the fee
    uint256 public constant DECLINE_PENALTY_RATE = 10000; // 10 % of the fee
    uint256 public constant TIMEOUT_PENALTY_RATE = 10000; // 10 % of the fee
    uint256 public constant FAILED_PENALTY_RATE = 100000; // 100 % of the fee, plus VERIFIER_FEE

    // ---- amounts and slots ----------------------------------------------------------------------
    uint256 public constant VERIFIER_FEE = 10 ether; // 10 EMT, paid from the fee on verify
    uint256 public constant MAX_SLOT_GAS_PER_NODE = 9000;
    uint256 public constant SLOT_INTERVAL = 24 hours;
    uint256 public constant BASE_SLOT_REWARD = 12000 * 24 ether;
    uint256 public constant SLOT_REWARD_DECREMENT = uint256(600 * 24 ether) / 365; // floored to wei

    // ---- state ----------------------------------------------------------------------------------
    /// @notice Field order is the ABI of `jobs(jobId)`: owner, deadline, fee, status, requestedAt.
    /// An unknown job reads as all zeros (status 0 = REQUESTED): check owner != 0 first.
    struct Job {
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
    /// node, deposit, gas, startedAt, submittedAt, verifiedAt.
    struct JobAssign {
        address node;
        uint256 deposit;
        uint256 gas;
        uint256 startedAt;
        uint256 submittedAt;
        uint256 verifiedAt;
    }

    /// @notice Field order is the ABI of `slots(slot)`: totalGas, totalReward.
    struct Slot {
        uint256 totalGas;
        uint256 totalReward;
    }

    IEmethToken public immutable token;
    /// @notice Start of slot 0 (the deployment block's timestamp).
    uint256 public immutable startTime;
    address public verifier;
    uint256 public collectedPenalties;

    mapping(bytes16 => Job) public jobs;
    mapping(bytes16 => JobDetail) public jobDetails;
    mapping(bytes16 => JobAssign) public jobAssigns;
    /// @notice The slots in which a node earned gas, in order; `nodeSlotCount` gives the length.
    mapping(address => uint256[]) public nodeSlots;
    /// @notice Gas a node earned in a slot (capped at MAX_SLOT_GAS_PER_NODE).
    mapping(uint256 => mapping(address => uint256)) public slotBalances;
    mapping(uint256 => Slot) public slots;
    mapping(uint256 => mapping(address => bool)) public slotRewardWithdrawn;

    // ---- events (the node's interface) ----------------------------------------------------------
    event Request(address indexed owner, bytes16 indexed jobId, uint256 fee, uint256 deadline);
    event Status(bytes16 indexed jobId, address nodeAddress, uint256 status);
    event Cancel(bytes16 indexed jobId);
    event Reward(address indexed nodeAddress, uint256 slot, uint256 gas);
    event Penalty(address indexed nodeAddress, uint256 slashed);
    event VerifierChanged(address indexed previousVerifier, address indexed newVerifier);
    event SlotRewardWithdrawn(address indexed nodeAddress, uint256 slot, uint256 amount);

    modifier onlyVerifier() {
        require(msg.sender == verifier, "caller is not the verifier");
        _;
    }

    constructor(address token_, address verifier_) Ownable(msg.sender) {
        require(token_ != address(0), "token is the zero address");
        require(verifier_ != address(0), "verifier is the zero address");
        token = IEmethToken(token_);
        verifier = verifier_;
        startTime = block.timestamp;
        emit VerifierChanged(address(0), verifier_);
    }

    /// @notice Replaces the verifier, e.g. when its key rotates.
    function setVerifier(address verifier_) external {
        // A reason string rather than Ownable's custom error, so an operator reads the cause.
        require(msg.sender == owner(), "caller is not the owner");
        require(verifier_ != address(0), "verifier is the zero address");
        emit VerifierChanged(verifier, verifier_);
        verifier = verifier_;
    }

    // ---- requester ------------------------------------------------------------------------------

    /// @notice Posts a job and escrows its fee (the caller must have approved `fee` to this contract).
    function request(
        bytes16 jobId,
        uint256 programId,
        string calldata dataset,
        string calldata param,
        uint256 fee,
        uint256 deadline
    ) external {
        require(jobId != bytes16(0), "job id is zero");
        require(jobs[jobId].owner == address(0), "job id already used");
        require(fee > 0, "fee is zero");
        // Below this the fee could not pay the verifier on verify.
        require(fee >= VERIFIER_FEE, "fee below VERIFIER_FEE");
        require(deadline > block.timestamp, "deadline is in the past");
        require(bytes(dataset).length > 0, "dataset is empty");

        jobs[jobId] = Job(msg.sender, deadline, fee, REQUESTED, block.timestamp);
        jobDetails[jobId] = JobDetail(programId, param, dataset, "");
        _pull(msg.sender, fee, "fee");
        emit Request(msg.sender, jobId, fee, deadline);
    }

    /// @notice Withdraws a job nobody took yet and refunds its fee.
    function cancel(bytes16 jobId) external {
        Job storage job = _job(jobId);
        require(job.owner == msg.sender, "caller is not the job owner");
        require(job.status == REQUESTED, "job not REQUESTED");
        job.status = CANCELED;
        _push(job.owner, job.fee);
        emit Cancel(jobId);
        emit Status(jobId, address(0), CANCELED);
    }

    // ---- node -----------------------------------------------------------------------------------

    /// @notice Takes a job; pulls the deposit (approve `deposit(fee)` to this contract first).
    function process(bytes16 jobId) external {
        Job storage job = _job(jobId);
        require(job.status == REQUESTED, "job not REQUESTED");
        require(block.timestamp < job.deadline, "deadline passed");
        uint256 amount = (job.fee * DEPOSIT_RATE) / RATE_DENOMINATOR;
        job.status = PROCESSING;
        jobAssigns[jobId] = JobAssign(msg.sender, amount, 0, block.timestamp, 0, 0);
        _pull(msg.sender, amount, "deposit");
        emit Status(jobId, msg.sender, PROCESSING);
    }

    /// @notice Gives a job up: the node forfeits DECLINE_PENALTY_RATE of the fee from its deposit
    /// and the requester gets the fee back.
    function decline(bytes16 jobId) external {
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        require(jobAssigns[jobId].node == msg.sender, "caller is not the job's node");
        job.status = DECLINED;
        _settleWithPenalty(jobId, (job.fee * DECLINE_PENALTY_RATE) / RATE_DENOMINATOR, 0);
        emit Status(jobId, msg.sender, DECLINED);
    }

    /// @notice Hands in the result (the storage file name of the trained model) before the deadline.
    function submit(bytes16 jobId, string calldata result) external {
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        JobAssign storage assign = jobAssigns[jobId];
        require(assign.node == msg.sender, "caller is not the job's node");
        require(block.timestamp <= job.deadline, "deadline passed");
        require(bytes(result).length > 0, "result is empty");
        job.status = SUBMITTED;
        assign.submittedAt = block.timestamp;
        jobDetails[jobId].result = result;
        emit Status(jobId, msg.sender, SUBMITTED);
    }

    /// @notice Mints the caller's share of a closed slot's reward, once.
    function withdrawSlotReward(uint256 slot) external {
        require(slot < currentSlot(), "slot not closed");
        uint256 nodeGas = slotBalances[slot][msg.sender];
        require(nodeGas > 0, "no gas in slot");
        require(!slotRewardWithdrawn[slot][msg.sender], "slot reward already withdrawn");
        slotRewardWithdrawn[slot][msg.sender] = true;
        Slot storage s = slots[slot];
        uint256 amount = (nodeGas * s.totalReward) / s.totalGas;
        if (amount > 0) {
            token.mint(msg.sender, amount);
        }
        emit SlotRewardWithdrawn(msg.sender, slot, amount);
    }

    // ---- verifier -------------------------------------------------------------------------------

    /// @notice Accepts a result: pays the verifier VERIFIER_FEE, the node the rest of the fee plus
    /// its whole deposit, and credits the job's gas to the node in the current reward slot.
    function verify(bytes16 jobId, uint256 gas) external onlyVerifier {
        Job storage job = _job(jobId);
        require(job.status == SUBMITTED, "job not SUBMITTED");
        JobAssign storage assign = jobAssigns[jobId];
        job.status = VERIFIED;
        assign.gas = gas;
        assign.verifiedAt = block.timestamp;
        _creditGas(assign.node, gas);
        _push(verifier, VERIFIER_FEE);
        _push(assign.node, job.fee - VERIFIER_FEE + assign.deposit);
        emit Status(jobId, assign.node, VERIFIED);
    }

    /// @notice Ends a job whose node did not submit by the deadline: TIMEOUT_PENALTY_RATE of the
    /// fee is kept from the deposit, the requester gets the fee back.
    function timeout(bytes16 jobId) external onlyVerifier {
        Job storage job = _job(jobId);
        require(job.status == PROCESSING, "job not PROCESSING");
        require(block.timestamp > job.deadline, "deadline not passed");
        job.status = TIMEOUT;
        _settleWithPenalty(jobId, (job.fee * TIMEOUT_PENALTY_RATE) / RATE_DENOMINATOR, 0);
        emit Status(jobId, jobAssigns[jobId].node, TIMEOUT);
    }

    /// @notice Refuses a result that cannot be accepted (e.g. unreadable) without proving fraud:
    /// the requester gets the fee back and the node its whole deposit.
    function rejectResult(bytes16 jobId) external onlyVerifier {
        Job storage job = _job(jobId);
        require(job.status == SUBMITTED, "job not SUBMITTED");
        job.status = REJECTED;
        _settleWithPenalty(jobId, 0, 0);
        emit Status(jobId, jobAssigns[jobId].node, REJECTED);
    }

    /// @notice Marks a result as failed (wrong or fraudulent work): the node is slashed
    /// FAILED_PENALTY_RATE of the fee plus VERIFIER_FEE, at most its deposit; the verifier's fee is
    /// paid from the slash, the requester gets the fee back.
    function failResult(bytes16 jobId) external onlyVerifier {
        Job storage job = _job(jobId);
        require(job.status == SUBMITTED, "job not SUBMITTED");
        job.status = FAILED;
        uint256 slash = (job.fee * FAILED_PENALTY_RATE) / RATE_DENOMINATOR + VERIFIER_FEE;
        _settleWithPenalty(jobId, slash, VERIFIER_FEE);
        emit Status(jobId, jobAssigns[jobId].node, FAILED);
    }

    // ---- views ----------------------------------------------------------------------------------

    /// @notice The original network's estimate: data set size in MB × program complexity / 1000.
    function getEstimatedGas(uint256 datasetSizeMB, uint256 complexity) external pure returns (uint256) {
        return (datasetSizeMB * complexity) / 1000;
    }

    /// @notice The reward slot `block.timestamp` falls in; slot 0 starts at deployment.
    function currentSlot() public view returns (uint256) {
        return (block.timestamp - startTime) / SLOT_INTERVAL;
    }

    /// @notice The EMT (wei) minted for a slot: BASE_SLOT_REWARD less SLOT_REWARD_DECREMENT per
    /// slot since slot 0, never below zero.
    function slotReward(uint256 slot) public pure returns (uint256) {
        // Past this slot the decrement has used the whole base; also keeps slot × decrement
        // from overflowing for absurd slot numbers.
        if (slot > BASE_SLOT_REWARD / SLOT_REWARD_DECREMENT) {
            return 0;
        }
        return BASE_SLOT_REWARD - slot * SLOT_REWARD_DECREMENT;
    }

    function nodeSlotCount(address node) external view returns (uint256) {
        return nodeSlots[node].length;
    }

    // ---- internals ------------------------------------------------------------------------------

    function _job(bytes16 jobId) private view returns (Job storage job) {
        job = jobs[jobId];
        require(job.owner != address(0), "job does not exist");
    }

    /// Credits at most what keeps the node under MAX_SLOT_GAS_PER_NODE in the current slot, so
    /// one node cannot take a slot's whole reward by inflating its jobs.
    function _creditGas(address node, uint256 gas) private {
        uint256 slot = currentSlot();
        uint256 held = slotBalances[slot][node];
        uint256 room = held >= MAX_SLOT_GAS_PER_NODE ? 0 : MAX_SLOT_GAS_PER_NODE - held;
        uint256 credited = gas < room ? gas : room;
        if (credited == 0) {
            return;
        }
        if (held == 0) {
            nodeSlots[node].push(slot);
        }
        slotBalances[slot][node] = held + credited;
        Slot storage s = slots[slot];
        if (s.totalGas == 0) {
            s.totalReward = slotReward(slot);
        }
        s.totalGas += credited;
        emit Reward(node, slot, credited);
    }

    /// Refunds the requester's fee and returns the node's deposit less `penalty` (capped at the
    /// deposit); `toVerifier` of the penalty goes to the verifier, the rest stays here.
    function _settleWithPenalty(bytes16 jobId, uint256 penalty, uint256 toVerifier) private {
        Job storage job = jobs[jobId];
        JobAssign storage assign = jobAssigns[jobId];
        uint256 slashed = penalty < assign.deposit ? penalty : assign.deposit;
        uint256 paid = toVerifier < slashed ? toVerifier : slashed;
        collectedPenalties += slashed - paid;
        _push(job.owner, job.fee);
        _push(assign.node, assign.deposit - slashed);
        _push(verifier, paid);
        if (slashed > 0) {
            emit Penalty(assign.node, slashed);
        }
    }

    /// transferFrom with reasons an operator can act on (the ERC-20's own errors are opaque codes).
    function _pull(address from, uint256 amount, string memory what) private {
        require(token.balanceOf(from) >= amount, string.concat("EMT balance below ", what));
        require(
            token.allowance(from, address(this)) >= amount,
            string.concat("EMT allowance below ", what, ": approve EmethCore first")
        );
        require(token.transferFrom(from, address(this), amount), "EMT transferFrom failed");
    }

    function _push(address to, uint256 amount) private {
        if (amount > 0) {
            require(token.transfer(to, amount), "EMT transfer failed");
        }
    }
}
