// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title EMT, the token jobs are paid in.
/// @notice A plain ERC-20 with 18 decimals. The deployer holds the admin and minter roles; EmethCore
/// is granted MINTER_ROLE after deployment because slot rewards are minted, not pre-funded.
contract EmethToken is ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    constructor() ERC20("Emeth Token", "EMT") {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(MINTER_ROLE, msg.sender);
    }

    /// @notice Creates `amount` wei of EMT for `to`; only accounts holding MINTER_ROLE may.
    function mint(address to, uint256 amount) external {
        // A reason string instead of OpenZeppelin's custom error, so an operator reads the cause.
        require(hasRole(MINTER_ROLE, msg.sender), "caller is not a minter");
        _mint(to, amount);
    }
}
