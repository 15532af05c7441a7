// The IRBuilder lowering emits through: it remembers the block it inserts into and whether that block
// just got its terminator, so Gen.at and GetInsertBlock answer without calls into LLVM (each such
// call made a native wrapper object: a third of lowering's calls, and much of its GC time). Before
// each call instruction it lets lowering pass on a debug location it held back (Gen.setDebugLoc).

import llvm from "llvm-bindings";

export class Builder extends llvm.IRBuilder {
  /** The block set by the last SetInsertPoint, or null when it was an instruction (or none yet). */
  private block: llvm.BasicBlock | null = null;
  /** True only when this builder's last instruction was a terminator of `block`. */
  private terminated = false;

  constructor(ctx: llvm.LLVMContext, private readonly beforeCall: () => void) {
    super(ctx);
  }

  /** Every overload of CreateCall, after the held-back debug location is set. */
  override CreateCall(...args: any[]): llvm.CallInst {
    this.beforeCall();
    return (super.CreateCall as (...a: unknown[]) => llvm.CallInst).apply(this, args);
  }

  override SetInsertPoint(where: llvm.BasicBlock | llvm.Instruction): void {
    this.block = where instanceof llvm.BasicBlock ? where : null;
    this.terminated = false;
    super.SetInsertPoint(where as llvm.BasicBlock);
  }

  override ClearInsertionPoint(): void {
    this.block = null;
    this.terminated = false;
    super.ClearInsertionPoint();
  }

  /** The insert block (the very wrapper passed to SetInsertPoint when there was one). */
  override GetInsertBlock(): llvm.BasicBlock | null {
    return this.block ?? super.GetInsertBlock();
  }

  /**
   * Whether the builder sits in a block of a function that has no terminator yet. Known without
   * asking LLVM when this builder just emitted one; otherwise LLVM is asked (a block re-entered
   * with SetInsertPoint may have one).
   */
  inOpenBlock(): boolean {
    if (this.terminated) return false;
    const cur = this.GetInsertBlock();
    return cur !== null && cur.getParent() !== null && !cur.getTerminator();
  }

  override CreateBr(dest: llvm.BasicBlock): llvm.BranchInst {
    const inst = super.CreateBr(dest);
    this.terminated = true;
    return inst;
  }

  override CreateCondBr(cond: llvm.Value, thenBB: llvm.BasicBlock, elseBB: llvm.BasicBlock): llvm.BranchInst {
    const inst = super.CreateCondBr(cond, thenBB, elseBB);
    this.terminated = true;
    return inst;
  }

  override CreateRet(value: llvm.Value): llvm.ReturnInst {
    const inst = super.CreateRet(value);
    this.terminated = true;
    return inst;
  }

  override CreateRetVoid(): llvm.ReturnInst {
    const inst = super.CreateRetVoid();
    this.terminated = true;
    return inst;
  }

  override CreateUnreachable(): llvm.UnreachableInst {
    const inst = super.CreateUnreachable();
    this.terminated = true;
    return inst;
  }
}
